# The gradients by autograd on f and g themselves (checks call student code in grad mode, as the
# student's notebook does).
# %% cell: saddle
import torch


def grad_f(x, y):
    x, y = (torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in (x, y))
    df_dx, df_dy = torch.autograd.grad(f(x, y), (x, y))
    return df_dx.item(), df_dy.item()


SADDLE_F = (0.0, 0.0)
# %% cell: xy
import torch


def grad_xy(x, y):
    x, y = (torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in (x, y))
    dg_dx, dg_dy = torch.autograd.grad(g(x, y), (x, y))
    return dg_dx.item(), dg_dy.item()


XY_MINMAX_VALUE = 0.0
