# sigma read off the wrong vector: the length of W^T u with the last u (half an iteration more), not u^T W v
# with the last pair, as the algorithm says.
# fails: test_power_iteration
# %% cell: power_iteration
def power_iteration(W, u, num_iterations=1):
    for _ in range(num_iterations):
        v = W.T @ u
        v = v / v.norm()
        u = W @ v
        u = u / u.norm()
    sigma = (W.T @ u).norm()
    return sigma, u
