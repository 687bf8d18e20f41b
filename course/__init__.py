"""course: the instructor's side of the GAN course.

It wraps nbgrader's real workflow (generate_assignment, autograde, generate_feedback, export) for
every assignment at once, builds the bundled sample submissions, regenerates the reference
answers from the solutions, and executes the source notebooks headless. Run `python -m course -h`.
"""
