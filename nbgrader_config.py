# nbgrader's configuration for this course. Every instructor command (`make release`,
# `make autograde`, ...) runs nbgrader with this folder as the course root.
c = get_config()  # noqa: F821 (nbgrader defines get_config when it loads this file)

c.CourseDirectory.course_id = "gan-course"
# Source notebooks, with solutions, one assignment per folder: notebooks/<assignment>/*.ipynb.
c.CourseDirectory.source_directory = "notebooks"
# Never copy these into a release, a submission or a feedback folder.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store"]

# The stub left in place of a solution in the student release.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding executes each submission in a fresh kernel; a cell that runs longer than this fails.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
