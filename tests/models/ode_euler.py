# ruff: noqa: RUF007 - written as autograd's and JAX's examples write them
"""Fitting the parameters of Lotka-Volterra dynamics integrated by Euler steps.

The integrator takes the vector field as a function value and forwards `*args`
to it; the trajectory is a list of states stacked at the end.
"""

import numpy as np


def lotka_volterra(z, t, params):
    prey, predator = z
    alpha, beta, gamma, delta = params
    return np.array(
        [alpha * prey - beta * prey * predator, delta * prey * predator - gamma * predator]
    )


def odeint_euler(func, y0, ts, *args):
    ys = [y0]
    for t0, t1 in zip(ts[:-1], ts[1:]):
        ys.append(ys[-1] + (t1 - t0) * func(ys[-1], t0, *args))
    return np.stack(ys)


ts = np.linspace(0.0, 2.0, 21)
true_params = np.array([1.0, 0.4, 0.8, 0.3])
true_y0 = np.array([2.0, 1.0])
observed = odeint_euler(lotka_volterra, true_y0, ts, true_params)
observed = observed + 0.05 * np.cos(np.arange(observed.size)).reshape(observed.shape)


def trajectory_loss(params, y0):
    trajectory = odeint_euler(lotka_volterra, y0, ts, params)
    return np.mean((trajectory - observed) ** 2)


objective = trajectory_loss


def example():
    return (np.array([0.9, 0.5, 0.7, 0.35]), np.array([1.8, 1.1])), ("params", "y0")
