"""Jacobians as generated source: a loop over basis vectors around a generated product.

Forward mode (`jacfwd`) runs one Jacobian-vector product per element of each differentiated
argument, each with its own generated jvp (with respect to that argument alone); reverse
mode (`jacrev`) runs one vector-Jacobian product per element of the output. The Jacobian of
an output with respect to an argument has the output's shape followed by the argument's
(JAX's convention); a tuple of them for a tuple `wrt`, and a tuple of those for a function
returning a tuple. The module also defines the function's value alone (`f_value`), which
gives the output's shape before the loop starts.
"""

from __future__ import annotations

import ast

from ..ir import Program
from ..names import NameAllocator
from ..runtime import HELPER_NAMES
from ..syntax import assign, call, load, name_nodes
from .forward import forward_statements


def value_function(program: Program) -> tuple[list[ast.stmt], ast.expr]:
    """The statements computing the program's outputs, and the value they return."""
    outputs = list(program.outputs)
    result = ast.Tuple(outputs, ast.Load()) if program.returns_tuple else outputs[0]
    reads = {n.id for n in name_nodes(result)}
    return forward_statements(program, reads, set(), {}), result


def jacobian_loop(program: Program, wrt: list[str], single: bool, forward: bool,
                  value: str, products: list[tuple[str, list[str]]],
                  names: NameAllocator) -> tuple[list[ast.stmt], ast.expr, frozenset[str]]:
    """The Jacobian function's statements, what it returns and the helpers it calls.

    `value` is the name of the value function; `products` the generated products it loops
    over, each (its name, its seed keywords): one jvp per argument of `wrt` (forward), or
    the one vjp (reverse).
    """
    arguments = [ast.Name(p.name, ast.Load()) for p in program.params if p.kind == "positional"]
    keywords = [ast.keyword(p.name, ast.Name(p.name, ast.Load())) for p in program.params
                if p.kind == "keyword"]
    keywords += [ast.keyword(e.parameter, ast.Name(e.parameter, ast.Load()))
                 for e in program.externals]
    output, jacobian = names.fresh("value"), names.fresh("jacobian")
    index = names.fresh("index")
    differentiated = ast.Tuple([load(w) for w in wrt], ast.Load())
    body: list[ast.stmt] = [
        assign(output, ast.Call(load(value), list(arguments), list(keywords))),
        assign(jacobian, call("_jacobian_zeros", load(output), differentiated)),
    ]
    if forward:
        tangent, tangents = names.fresh("tangent"), names.fresh("output_tangent")
        for position, (argument, (product, (seed,))) in enumerate(zip(wrt, products)):
            product_call = ast.Call(load(product), list(arguments),
                            [*keywords, ast.keyword(seed, load(tangent))])
            loop_body = [
                ast.Assign([ast.Tuple([ast.Name("_", ast.Store()), ast.Name(tangents, ast.Store())],
                                      ast.Store())], product_call),
                ast.Expr(call("_fill_column", load(jacobian), ast.Constant(position),
                               load(index), load(tangents))),
            ]
            body.append(_loop([index, tangent], call("_basis", load(argument)), loop_body))
    else:
        (product, seeds), = products
        which, cotangent, gradients = names.fresh("output"), names.fresh("cotangent"), names.fresh(
            "gradients")
        if len(seeds) == 1:
            seeded = [ast.keyword(seeds[0], load(cotangent))]
        else:
            seeded = [ast.keyword(seed, ast.Subscript(load(cotangent), ast.Constant(k), ast.Load()))
                      for k, seed in enumerate(seeds)]
        product_call = ast.Call(load(product), list(arguments), [*keywords, *seeded])
        loop_body = [
            assign(gradients, product_call),
            ast.Expr(call("_fill_row", load(jacobian), load(which), load(index),
                           load(gradients))),
        ]
        body.append(_loop([which, index, cotangent], call("_cotangent_basis", load(output)),
                          loop_body))
    result = call("_jacobian_result", load(jacobian), load(output), ast.Constant(single))
    helpers = {n.id for s in body for n in name_nodes(s)} | {
        "_jacobian_result"}
    return body, result, frozenset(helpers & HELPER_NAMES)


def loop_comment(forward: bool, wrt: list[str]) -> str:
    """What the Jacobian's loops do, said in its source."""
    if forward:
        return ("forward mode: one Jacobian-vector product per element of "
                + " and of ".join(wrt) + ", each a column of the Jacobian")
    return "reverse mode: one vector-Jacobian product per element of the output, each a row"


def _loop(targets: list[str], iterator: ast.expr, body: list[ast.stmt]) -> ast.For:
    target = ast.Tuple([ast.Name(t, ast.Store()) for t in targets], ast.Store())
    return ast.For(target=target, iter=iterator, body=body, orelse=[], type_comment=None)
