"""course: the instructor's side of the GAN course. Run `python -m course -h`.

- `__main__`: the CLI, one command per instructor step; `workflow`: those steps on a course folder
  (nbgrader's real generate_assignment, autograde, generate_feedback, export, for every assignment
  at once); `exports`: the grades for an LMS; `nbtools`: what a notebook's cells are (grade ids,
  solutions, tests), shared by everything below.
- `engine/`: the grading engine (GRADING.md): the sandbox, the grader, the batch, nbgrader's plugins,
  the feedback pages.
- `authoring/`: the reference answers, the student kit, the tests' patches, notebook execution.
- `benchmarks/`: what prints speed figures (BENCHMARKS.md).
"""
