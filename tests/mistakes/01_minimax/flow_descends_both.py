# Both variables flow down their gradient: on xy the path leaves the circle along a hyperbola.
# fails: test_flow, test_flow_circle
# %% cell: flow
def flow(grad, x, y):
    df_dx, df_dy = grad(x, y)
    return -df_dx, -df_dy
