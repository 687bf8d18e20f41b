# Answers given as words: the checks need a number and a bool, and the reason says so for both.
# fails: test_table
# says: test_table: RETURNS_AFTER must be a whole number | REACHES_OPTIMUM must be True or False
# %% cell: table_answers
RETURNS_AFTER = "six"
REACHES_OPTIMUM = "no"
