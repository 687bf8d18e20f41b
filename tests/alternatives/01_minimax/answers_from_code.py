# Answers computed rather than typed: the range from the contraction factor, the period from the table.
# %% cell: saddle
def grad_f(x, y):
    return 2 * 4 * x, 2 * -4 * y


SADDLE_F = [0, 0]
# %% cell: lr_range
LR_RANGE = [0, 2 / 8]
# %% cell: xy
def grad_xy(x, y):
    return (y, x)


XY_MINMAX_VALUE = 0
# %% cell: table_answers
RETURNS_AFTER = next(t for t in range(1, len(table)) if tuple(table[t]) == tuple(table[0]))
REACHES_OPTIMUM = bool(np.any(np.all(table == 0, axis=1)))
