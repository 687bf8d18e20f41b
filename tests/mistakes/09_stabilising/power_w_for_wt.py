# W where W^T belongs (v = W u, u = W^T v): a shape error for a non-square W, wrong values for a square one.
# fails: test_power_iteration, test_power_iteration_converges
# %% cell: power_iteration
def power_iteration(W, u, num_iterations=1):
    for _ in range(num_iterations):
        v = W @ u
        v = v / v.norm()
        u = W.T @ v
        u = u / u.norm()
    sigma = u @ (W.T @ v)
    return sigma, u
