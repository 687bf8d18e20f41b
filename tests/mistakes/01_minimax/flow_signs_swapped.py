# x flows up and y down its gradient: on xy still a circle (the other way round), wrong in general.
# fails: test_flow
# %% cell: flow
def flow(grad, x, y):
    df_dx, df_dy = grad(x, y)
    return df_dx, -df_dy
