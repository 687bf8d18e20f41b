# Answers given as words: the checks need a number and a bool.
# fails: test_table
# %% cell: table_answers
RETURNS_AFTER = "six"
REACHES_OPTIMUM = "no"
