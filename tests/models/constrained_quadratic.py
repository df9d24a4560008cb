"""A quadratic program solved by the quadratic penalty method: the objective adds
squared violations of inequality and equality constraints to the quadratic.
The penalized objective takes its problem data as keyword-only arguments."""

import numpy as np
import numpy.random as npr

rs = npr.RandomState(0)
n = 5
M = rs.randn(n, n)
Q = M @ M.T + n * np.eye(n)
c = rs.randn(n)
A_ineq = rs.randn(3, n)
b_ineq = 0.1 * rs.randn(3)
A_eq = np.ones((1, n))
b_eq = np.array([1.0])


def quadratic(x, Q, c):
    return 0.5 * x @ Q @ x - c @ x


def penalty(residuals, kind="inequality"):
    if kind == "inequality":
        return np.sum(np.maximum(residuals, 0.0) ** 2)
    return np.sum(residuals**2)


def penalized_objective(x, *, Q, c, A_ineq, b_ineq, A_eq, b_eq, mu=10.0):
    violations = [
        penalty(A_ineq @ x - b_ineq, kind="inequality"),
        penalty(A_eq @ x - b_eq, kind="equality"),
    ]
    return quadratic(x, Q, c) + 0.5 * mu * sum(violations)


def objective(x, mu):
    return penalized_objective(
        x, Q=Q, c=c, A_ineq=A_ineq, b_ineq=b_ineq, A_eq=A_eq, b_eq=b_eq, mu=mu
    )


def example():
    x0 = np.linspace(-0.3, 0.9, n)
    return (x0, 25.0), "x"
