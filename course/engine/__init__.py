"""The grading engine (GRADING.md): a submission's code runs in the sandbox (`sandbox`, whose child
program is `sandbox_child`), what it returned is judged here against the hidden answers (`grader`),
many submissions at once on Dask (`autograde`), into nbgrader's gradebook (`nbgrader_plugins`) and
the feedback pages (`feedback`). `submissions` owns the rule for which files are a submission."""
