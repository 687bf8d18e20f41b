# nbgrader's configuration for this course. Every instructor command (`make release`,
# `make autograde`, ...) runs nbgrader with this folder as the course root.
c = get_config()  # noqa: F821 (nbgrader defines get_config when it loads this file)

from course import layout, nbtools  # noqa: E402 (the folders' names, the release's stubs: their owners)

c.CourseDirectory.course_id = "gan-course"
# Source notebooks, with solutions, one assignment per folder: notebooks/<assignment>/*.ipynb; the
# other folders under the names the course's code uses (nbgrader's defaults, as is gradebook.db).
c.CourseDirectory.source_directory = layout.SOURCE
c.CourseDirectory.release_directory = layout.RELEASE
c.CourseDirectory.submitted_directory = layout.SUBMITTED
c.CourseDirectory.autograded_directory = layout.AUTOGRADED
c.CourseDirectory.feedback_directory = layout.FEEDBACK
# Never copy these into a release, a submission or a feedback folder.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", layout.FEEDBACK, ".DS_Store"]

# The stub left in place of a solution in the student release.
c.ClearSolutions.code_stub = {"python": nbtools.CODE_STUB}
c.ClearSolutions.text_stub = nbtools.TEXT_STUB

# Only where nbgrader's stock `Execute` runs (the grading benchmark's baseline, which cuts this
# file where the next comment begins).
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True

# Autograding: nbgrader's steps, with its `Execute` (the student's code and the checks in one kernel,
# the verdict read from the cell's output) replaced by the sandboxed grader's verdicts (GRADING.md).
# `make autograde` reaches them in parallel first; without it, each is reached when asked for.
# Its sanitizing steps run on the notebook that is graded (the source's cells, the student's answers:
# course.engine.nbgrader_plugins.SourceCells), so that no student's cells or metadata reach nbgrader's own.
c.Autograde.sanitize_preprocessors = [
    "course.engine.nbgrader_plugins.SourceCells",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "course.engine.nbgrader_plugins.SandboxVerdicts",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Feedback pages (course/engine/feedback.py): nbgrader's grades plus what waits for a grade by hand, test
# cells without their hidden code, formulas as MathML (no network needed), the course's template.
c.GenerateFeedback.preprocessors = [
    "course.engine.feedback.FeedbackGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.GenerateFeedback.exporter_class = "course.engine.feedback.FeedbackPage"
c.FeedbackPage.template_name = "feedback_page"
from course.engine import feedback  # noqa: E402 (where the template lives)

c.FeedbackPage.extra_template_basedirs = [str(feedback.TEMPLATES)]

# The export: nbgrader's CSV columns plus the autograder's status and reason per submission.
c.ExportApp.plugin_class = "course.engine.nbgrader_plugins.CsvWithStatus"


# `python -m course collect <assignment>` (nbgrader zip_collect): how a file name in an LMS download
# names the student, the submission time and the notebook. This is the Blackboard-style pattern of
# nbgrader's documentation, "<assignment>_<student>_attempt_<YYYY-MM-DD-HH-MM-SS>_<notebook>.ipynb",
# with student ids that hold no underscore; change it to your LMS's naming. The plugin reads the
# attempt's time as written (nbgrader's own date parser takes "-15-30" for a time zone).
c.ZipCollectApp.collector_plugin = "course.engine.nbgrader_plugins.AttemptFileNames"
c.FileNameCollectorPlugin.named_regexp = (
    r".*_(?P<student_id>[^_/]+)_attempt_(?P<timestamp>[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{2})"
    r"_(?P<file_id>[^/]+)\.ipynb$"
)
