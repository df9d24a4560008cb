"""A fluid simulation by semi-Lagrangian advection and pressure projection on a
periodic grid (autograd's examples/fluidsim/fluidsim.py): the initial velocity
field is optimized so that the smoke ends up near a target image."""

import numpy as np
import numpy.random as npr


def project(vx, vy):
    """Project the velocity field to be approximately mass-conserving,
    using a few iterations of Gauss-Seidel."""
    p = np.zeros(vx.shape)
    h = 1.0 / vx.shape[0]
    div = (
        -0.5
        * h
        * (
            np.roll(vx, -1, axis=0)
            - np.roll(vx, 1, axis=0)
            + np.roll(vy, -1, axis=1)
            - np.roll(vy, 1, axis=1)
        )
    )

    for k in range(10):
        p = (
            div
            + np.roll(p, 1, axis=0)
            + np.roll(p, -1, axis=0)
            + np.roll(p, 1, axis=1)
            + np.roll(p, -1, axis=1)
        ) / 4.0

    vx -= 0.5 * (np.roll(p, -1, axis=0) - np.roll(p, 1, axis=0)) / h
    vy -= 0.5 * (np.roll(p, -1, axis=1) - np.roll(p, 1, axis=1)) / h
    return vx, vy


def advect(f, vx, vy):
    """Move field f according to x and y velocities (u and v)
    using an implicit Euler integrator."""
    rows, cols = f.shape
    cell_ys, cell_xs = np.meshgrid(np.arange(rows), np.arange(cols))
    center_xs = (cell_xs - vx).ravel()
    center_ys = (cell_ys - vy).ravel()

    # Compute indices of source cells.
    left_ix = np.floor(center_xs).astype(int)
    top_ix = np.floor(center_ys).astype(int)
    rw = center_xs - left_ix  # Relative weight of right-hand cells.
    bw = center_ys - top_ix  # Relative weight of bottom cells.
    left_ix = np.mod(left_ix, rows)  # Wrap around edges of simulation.
    right_ix = np.mod(left_ix + 1, rows)
    top_ix = np.mod(top_ix, cols)
    bot_ix = np.mod(top_ix + 1, cols)

    # A linearly-weighted sum of the 4 surrounding cells.
    flat_f = (1 - rw) * ((1 - bw) * f[left_ix, top_ix] + bw * f[left_ix, bot_ix]) + rw * (
        (1 - bw) * f[right_ix, top_ix] + bw * f[right_ix, bot_ix]
    )
    return np.reshape(flat_f, (rows, cols))


def simulate(vx, vy, smoke, num_time_steps):
    for t in range(num_time_steps):
        vx_updated = advect(vx, vx, vy)
        vy_updated = advect(vy, vx, vy)
        vx, vy = project(vx_updated, vy_updated)
        smoke = advect(smoke, vx, vy)
    return smoke


rows, cols = 6, 6
simulation_timesteps = 3

# Smoke starts as a blob in one corner, the target is a blob in the middle.
yy, xx = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
init_smoke = np.exp(-((xx - 1.5) ** 2 + (yy - 1.5) ** 2) / 2.0)
target = np.exp(-((xx - 3.0) ** 2 + (yy - 3.0) ** 2) / 2.0)


def distance_from_target_image(smoke):
    return np.mean((target - smoke) ** 2)


def convert_param_vector_to_matrices(params):
    vx = np.reshape(params[: (rows * cols)], (rows, cols))
    vy = np.reshape(params[(rows * cols) :], (rows, cols))
    return vx, vy


def objective(params):
    init_vx, init_vy = convert_param_vector_to_matrices(params)
    final_smoke = simulate(init_vx, init_vy, init_smoke, simulation_timesteps)
    return distance_from_target_image(final_smoke)


def example():
    rs = npr.RandomState(0)
    init_dx_and_dy = 0.3 * rs.randn(2 * rows * cols) + 0.137
    return (init_dx_and_dy,), "params"
