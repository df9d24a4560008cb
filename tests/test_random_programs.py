"""Random small programs: s2sad's gradients against central finite differences.

Hypothesis draws programs from the constructs s2sad supports (random_programs.py
builds them), runs them, rejects points within 1e-3 of a comparison's threshold
or a kink (a branch, a while condition, abs, min, max, round: finite differences
would cross it), and compares `s2sad.grad` with central differences in float64
(eps 1e-6; where they disagree, a fourth-order difference gets a second say).
Every gradient is checked for its structure first: a dict argument's gradient is
a dict with the same keys, a list's or tuple's one of the same type and length,
an array's an array of its shape and dtype (float32 in, float32 out), a float's
a float; then for its values, leaf by leaf. A gradient that shares memory with
an argument or another gradient, a write into the caller's arguments, a wrong
`value_and_grad` value, or an exception other than an `S2SADError` fails.

A program s2sad refuses with an `S2SADError` is accepted and counted as an event
(`pytest --hypothesis-show-statistics` lists the refusals). The families below
the first ten use constructs the README promises an answer for, so their
refusals are findings too: each family's refusals are counted and printed at the
end of the module, and written (with the first program refused for each reason)
to the file S2SAD_RANDOM_REPORT names, if set.

A Python float's gradient must be a float (np.float64 is one);
S2SAD_RANDOM_FLOAT_GRADIENTS=lenient also accepts any 0-d floating value there, to
look past that for other failures.

One test per family of constructs, so a failure names the family:

* straight line: + - * /, tanh, sin, exp(tanh), unary minus, constants, element
  reads, reassignment (also changing a name from scalar to array), augmented
  assignment, tuple unpacking and swaps, print and assert;
* branches: if / elif / else on data, conditional expressions, `and` / `not`,
  early returns;
* loops: range, for-each, enumerate, zip, while (counter, data-dependent trip
  count, `and`-guarded), a branch, `continue` or `break` inside;
* calls: one or two helpers, with keyword defaults, tuple returns, helpers
  calling helpers, early returns in helpers, `if h(x) > 0.0:`;
* subscript writes: `y = x * 1.0; y[k] = ...`, `y[k] += ...`, in loops by the index;
* writes through shared arrays: `y = x; y[0] = ...` (NumPy changes x too);
* more operations: a matrix argument, @, np.dot, np.mean, np.cos, np.sqrt, **,
  slices (read and written), loops over a matrix's rows;
* vector outputs, checked with `s2sad.vjp` and a fixed cotangent;
* nested control flow: loops and branches three deep;
* everything together, through `value_and_grad`;
* containers: dict, list and tuple arguments, read by key and index, unpacked,
  iterated and summed, or never read (then named in wrt with leaves of other
  shapes and dtypes: the gradient is zeros of the same structure);
* helper loops: helpers with `for` loops over a trip-count parameter, called
  with different counts, rebinding their own parameters in the loop;
* nested accumulators: `acc = 0.0` in an outer loop, `acc += ...` in the inner;
* builtins: abs, min, max, sum, len, round, in the body and in helpers, and
  helpers that return a comparison (`return abs(scale) < 0.51`);
* recurrences: `hs[t + 1] = f(hs[t])` and `y[i] = ...` in loops, then slices,
  self-assigned slices and aliases of the array;
* closures: nested defs that read the enclosing function's dict, list or tuple;
* float32: arguments in float32 (checked again in float64, the same gradient
  object, to catch a variant reused across dtypes).

The examples are derandomized (the same programs on every run). CI runs a
quarter of them; S2SAD_RANDOM_SCALE=1 runs them all, and a larger scale (10)
finds the rarer shapes (see the regressions at the end, which are programs
these tests found, shrunk by hand).
"""

import collections
import inspect
import os

import numpy as np
import pytest
from gradcheck import assert_close
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis.errors import InvalidArgument
from random_programs import (
    Features,
    as_float64,
    finite,
    load_function,
    numerical_gradient,
    programs,
    richardson_gradient,
    run_probe,
    same_tree,
    shared_memory,
    smooth_margins,
    structure_errors,
    tree_copy,
    tree_leaves,
    tree_map,
    zeros_like_tree,
)

import s2sad

RTOL, ATOL = 1e-4, 1e-6
RTOL32, ATOL32 = 2e-3, 2e-4  # float32 arguments: relative to the largest gradient element


# CI runs a quarter of the examples (about 40 s); S2SAD_RANDOM_SCALE=1 runs them all (about
# 2.5 minutes while every example passes; shrinking a failure takes minutes more).
SCALE = float(os.environ.get("S2SAD_RANDOM_SCALE", "0.25"))

# A Python float's gradient must be a float (np.float64 is one); "lenient" also accepts a 0-d
# array or a NumPy scalar of another dtype, to look past that for other failures.
STRICT_FLOATS = os.environ.get("S2SAD_RANDOM_FLOAT_GRADIENTS", "strict") != "lenient"

# family -> outcome ("differentiated", or the refusal's first line) -> count
OUTCOMES: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
EXAMPLES: dict[tuple[str, str], str] = {}  # (family, refusal) -> the first program refused so


def _settings(examples):
    return settings(max_examples=max(10, int(examples * SCALE)), deadline=None, derandomize=True,
                    database=None,
                    report_multiple_bugs=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    return tmp_path_factory.mktemp("random_programs")


@pytest.fixture(scope="module", autouse=True)
def refusal_report(pytestconfig):
    """At the end of the module: each family's programs, how many s2sad refused, and why."""
    yield
    lines = []
    for family, outcomes in sorted(OUTCOMES.items()):
        total = sum(outcomes.values())
        refused = total - outcomes["differentiated"]
        lines.append(f"{family}: {total} programs, {refused} refused")
        lines += [f"    {count:5d}  {outcome}" for outcome, count in outcomes.most_common()
                  if outcome != "differentiated"]
    if not lines:
        return
    path = os.environ.get("S2SAD_RANDOM_REPORT")
    if path:
        examples = [f"\n# {family}: {outcome}{show}" for (family, outcome), show in EXAMPLES.items()]
        with open(path, "w") as report:
            report.write("\n".join(lines + examples) + "\n")
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line("random programs, refusals by family (S2SADError):")
            for line in lines:
                reporter.write_line("  " + line)


def _copy(values):
    """Copies of the arguments (new arrays, new dicts, lists and tuples)."""
    return [tree_copy(v) for v in values]


def _fail(message, show, gradient=None):
    source = "" if gradient is None else \
        f"\ngenerated gradient:\n{gradient.source.split(chr(10) + 'def _')[0]}"
    raise AssertionError(f"{message}{show}{source}") from None


def compare(fun, args, wrt, expected=None, value=False, show="", cotangent=None, family=None,
            unread=()):
    """s2sad's gradient of `fun` at `args` with respect to the names `wrt`, against central
    differences. Returns False where s2sad refuses the function with an S2SADError, True where
    it matched; anything else fails. `value=True` also checks `value_and_grad`'s value; a
    `cotangent` checks `s2sad.vjp` instead of `s2sad.grad`. `unread` names parameters the
    function never reads: their expected gradients are zeros. float32 arguments are compared
    with float32 tolerances."""
    params = list(inspect.signature(fun).parameters)
    indices = [params.index(w) for w in wrt]
    seed = 1.0 if cotangent is None else cotangent
    known = {params.index(u): zeros_like_tree(as_float64(args[params.index(u)])) for u in unread}
    if expected is None:
        expected = numerical_gradient(fun, args, indices, seed, known=known)
    if cotangent is not None:
        gradient = s2sad.vjp(fun, wrt=tuple(wrt))
    else:
        gradient = (s2sad.value_and_grad if value else s2sad.grad)(fun, wrt=tuple(wrt))
    # The first call runs the general gradient, the second the variant generated for the
    # arguments' facts (their kinds, shapes and dtypes): both must be right.
    for call in ("", " (second call)"):
        fresh = _copy(list(args))
        when = ""
        try:
            _ = gradient.source
            when = " at run time"  # some refusals depend on the arguments (a number or an array)
            got = gradient(*fresh) if cotangent is None else gradient(*fresh, cotangent=cotangent)
        except s2sad.S2SADError as error:
            if call:
                _fail(f"the second call is refused, the first was not: {error}", show, gradient)
            outcome = f"refused{when}: {type(error).__name__}: {error.message.splitlines()[0][:60]}"
            _event(outcome)
            if family:
                OUTCOMES[family][outcome] += 1
                EXAMPLES.setdefault((family, outcome), show)
            return False
        _check_call(fun, args, fresh, got, params, wrt, indices, expected, value, show, gradient,
                    seed, known)
    return True


def _check_call(fun, args, fresh, got, params, wrt, indices, expected, value, show, gradient,
                seed, known):
    for name, a, original in zip(params, fresh, args):
        if not same_tree(a, original):
            _fail(f"s2sad wrote into the argument {name}", show, gradient)
    single32 = any(getattr(leaf, "dtype", None) == np.float32
                   for a in args for _, leaf in tree_leaves(a))
    if value:
        got_value, got = got
        tolerance = 1e-5 if single32 else 1e-12
        try:
            assert_close(got_value, fun(*_copy(list(args))), rtol=tolerance, atol=tolerance,
                         name="value_and_grad's value")
        except AssertionError as error:
            _fail(str(error), show, gradient)
    if not (isinstance(got, tuple) and len(got) == len(wrt)):
        _fail(f"a tuple `wrt` gives a tuple of {len(wrt)}, got a {type(got).__name__}", show,
              gradient)
    errors = [e for name, index, g in zip(wrt, indices, got)
              for e in structure_errors(g, args[index], f"d{name}", STRICT_FLOATS)]
    errors += shared_memory(list(got), fresh)
    if errors:
        _fail("wrong gradient structure:\n  " + "\n  ".join(errors), show, gradient)
    for name, index, g, e in zip(wrt, indices, got, expected):
        for (path, g_leaf), (_, e_leaf) in zip(tree_leaves(g), tree_leaves(e)):
            label = f"d{name}{''.join(f'[{p!r}]' for p in path)}"
            try:
                _close(g_leaf, e_leaf, label)
            except AssertionError:
                # a second, fourth-order opinion before calling the gradient wrong
                second = dict(tree_leaves(richardson_gradient(fun, args, [index], seed,
                                                              known=known)[0]))[path]
                try:
                    _close(g_leaf, second, label)
                except AssertionError as error:
                    _fail(str(error), show, gradient)




def _close(got, expected, name):
    if getattr(got, "dtype", None) == np.float32:
        scale = max(1.0, float(np.max(np.abs(expected))) if np.size(expected) else 1.0)
        assert_close(got, expected, rtol=RTOL32, atol=ATOL32 * scale, name=name)
    else:
        assert_close(got, expected, rtol=RTOL, atol=ATOL, name=name)


COTANGENT = np.array([0.7, -1.3, 0.4])


def check(program, directory, family, value=False, vector=False):
    """The property: s2sad's gradient of `program` matches finite differences (or s2sad refuses).

    `vector`: the program returns an array of length 3, checked with `s2sad.vjp`. A program
    with float32 arguments is checked in float32, then again in float64."""
    result, margins = run_probe(program.probe_source, program.name, program.args)
    expected_shape = COTANGENT.shape if vector else ()
    assert np.shape(result) == expected_shape, f"the generator made a {np.shape(result)} " \
        f"program:\n{program.source}"
    assume(smooth_margins(margins) and finite(result) and np.max(np.abs(result)) < 1e4)
    fun = load_function(program.source, program.name, directory)
    cotangent = COTANGENT if vector else None
    indices = program.wrt_indices()
    known = {i: zeros_like_tree(as_float64(program.args[i]))
             for i in map(program.params.index, program.unread)}
    expected = numerical_gradient(fun, program.args, indices,
                                  1.0 if cotangent is None else cotangent, known=known)
    assume(all(finite(leaf) for e in expected for _, leaf in tree_leaves(e)))
    runs = [program.args]
    if any(getattr(leaf, "dtype", None) == np.float32 for a in program.args
           for _, leaf in tree_leaves(a)):
        runs.append([as_float64(a) for a in program.args])
    for args in runs:
        if not compare(fun, args, program.wrt, expected, value, show=f"\n\n{program!r}",
                       cotangent=cotangent, family=family, unread=program.unread):
            return
    OUTCOMES[family]["differentiated"] += 1
    _event("differentiated")
    compare_forward(fun, runs[-1], program.wrt, expected, cotangent, f"\n\n{program!r}", family)


def compare_forward(fun, args, wrt, expected, cotangent, show, family):
    """s2sad.jvp along random tangents against the gradient by central differences: the
    output's tangent (weighted by the cotangent, for an array output) is the sum over the
    differentiated arguments of the gradient times the tangent. A refusal is counted, as
    reverse mode's are; a wrong tangent fails."""
    params = list(inspect.signature(fun).parameters)
    rng = np.random.default_rng(len(show))
    tangents = [tree_map(lambda leaf: float(rng.standard_normal()) if isinstance(leaf, float)
                         else rng.standard_normal(np.shape(leaf)), args[params.index(w)])
                for w in wrt]
    jvp = s2sad.jvp(fun, wrt=tuple(wrt))
    try:
        _, tangent = jvp(*_copy(list(args)), tangent=tuple(tangents))
    except s2sad.S2SADError as error:
        OUTCOMES[family + " (jvp)"][f"refused: {type(error).__name__}: "
                                    f"{error.message.splitlines()[0][:60]}"] += 1
        return
    got = float(np.sum(np.asarray(tangent, dtype=np.float64) * (1.0 if cotangent is None
                                                                 else cotangent)))
    want = sum(float(np.sum(np.asarray(leaf, dtype=np.float64) * np.asarray(t_leaf)))
               for e, t in zip(expected, tangents)
               for (_, leaf), (_, t_leaf) in zip(tree_leaves(e), tree_leaves(t)))
    scale = 1.0 + sum(float(np.sum(np.abs(np.asarray(leaf, dtype=np.float64) * np.asarray(t_leaf))))
                      for e, t in zip(expected, tangents)
                      for (_, leaf), (_, t_leaf) in zip(tree_leaves(e), tree_leaves(t)))
    if abs(got - want) > 1e-4 * scale:
        _fail(f"jvp gives {got!r}, the gradient by central differences {want!r}", show, jvp)
    OUTCOMES[family + " (jvp)"]["differentiated"] += 1


def _event(text):
    try:
        event(text)
    except InvalidArgument:  # outside a hypothesis test
        pass


STRAIGHT = Features(unpack=True, effects=True)
BRANCHES = Features(branches=True, ifexp=True, early_return=True)
LOOPS = Features(loops=True, whiles=True, branches=True, continues=True, breaks=True)
CALLS = Features(calls=True, ifexp=True, branches=True, force=("call",))
SUBSCRIPTS = Features(subscripts=True, loops=True, force=("copy_and_write",))
ALIASING = Features(subscripts=True, ifexp=True, calls=True, aliasing=True,
                    force=("alias", "subscript"))
MORE_OPS = Features(more_ops=True, subscripts=True, loops=True, branches=True, ifexp=True,
                    calls=True)
VECTOR = Features(vector_output=True, more_ops=True, subscripts=True, loops=True,
                  branches=True, ifexp=True, early_return=True, calls=True)
NESTED = Features(loops=True, whiles=True, branches=True, continues=True, breaks=True,
                  early_return=True,
                  subscripts=True, nest=True)
EVERYTHING = Features(branches=True, ifexp=True, early_return=True, loops=True, whiles=True,
                      calls=True, subscripts=True, continues=True, breaks=True, effects=True)
# the constructs issue 8 named
CONTAINERS = Features(containers=True, loops=True, calls=True, branches=True, builtins=True)
HELPER_LOOPS = Features(calls=True, helper_loops=True, loops=True, branches=True,
                        force=("call", "call"))
ACCUMULATORS = Features(accumulators=True, loops=True, more_ops=True, branches=True,
                        force=("accumulate",))
BUILTINS = Features(builtins=True, calls=True, loops=True, branches=True, ifexp=True,
                    force=("call",))
RECURRENCES = Features(recurrences=True, subscripts=True, loops=True, more_ops=True,
                       force=("recurrence",))
CLOSURES = Features(closures=True, containers=True, calls=True, branches=True, loops=True,
                    force=("closure",))
FLOAT32 = Features(float32=True, more_ops=True, loops=True, calls=True, builtins=True,
                   subscripts=True, branches=True, containers=True, helper_loops=True,
                   accumulators=True, recurrences=True)


@_settings(150)
@given(program=programs(STRAIGHT))
def test_straight_line(program, directory):
    check(program, directory, "straight_line")


@_settings(150)
@given(program=programs(BRANCHES))
def test_branches(program, directory):
    check(program, directory, "branches")


@_settings(200)
@given(program=programs(LOOPS))
def test_loops(program, directory):
    check(program, directory, "loops")


@_settings(150)
@given(program=programs(CALLS))
def test_calls(program, directory):
    check(program, directory, "calls")


@_settings(150)
@given(program=programs(SUBSCRIPTS))
def test_subscript_writes(program, directory):
    check(program, directory, "subscript_writes")


@_settings(200)
@given(program=programs(EVERYTHING))
def test_everything(program, directory):
    check(program, directory, "everything", value=True)


@_settings(60)
@given(program=programs(ALIASING))
def test_writes_through_shared_arrays(program, directory):
    """`y = x; y[0] = ...` changes x too in NumPy: s2sad must follow that, or refuse."""
    check(program, directory, "writes_through_shared_arrays")


@_settings(150)
@given(program=programs(MORE_OPS))
def test_more_operations(program, directory):
    """Matrices, @, np.dot, np.mean, np.cos, np.sqrt, **, slices, rows of a matrix."""
    check(program, directory, "more_operations")


@_settings(120)
@given(program=programs(VECTOR))
def test_vector_outputs_with_vjp(program, directory):
    check(program, directory, "vector_outputs", vector=True)


@_settings(150)
@given(program=programs(NESTED))
def test_nested_control_flow(program, directory):
    """Loops and branches inside loops and branches, three deep."""
    check(program, directory, "nested_control_flow")


@_settings(100)
@given(program=programs(CONTAINERS))
def test_container_arguments(program, directory):
    """Dict, list and tuple arguments, some never read: gradients of the same structure."""
    check(program, directory, "containers")


@_settings(100)
@given(program=programs(HELPER_LOOPS))
def test_helpers_with_loops(program, directory):
    """Helpers with for loops, called with different trip counts, rebinding their parameters."""
    check(program, directory, "helper_loops")


@_settings(60)
@given(program=programs(ACCUMULATORS))
def test_nested_accumulators(program, directory):
    """An accumulator reset in an outer loop and summed by an inner one."""
    check(program, directory, "accumulators")


@_settings(100)
@given(program=programs(BUILTINS))
def test_builtins(program, directory):
    """abs, min, max, sum, len, round, in the body and in helpers."""
    check(program, directory, "builtins", value=True)


@_settings(60)
@given(program=programs(RECURRENCES))
def test_recurrences(program, directory):
    """Rows and elements of one array written from earlier ones in a loop, then sliced."""
    check(program, directory, "recurrences")


@_settings(60)
@given(program=programs(CLOSURES))
def test_closures(program, directory):
    """Nested defs reading the enclosing function's containers."""
    check(program, directory, "closures")


@_settings(60)
@given(program=programs(FLOAT32))
def test_float32_arguments(program, directory):
    """float32 arguments: float32 gradients (and the same gradient again in float64)."""
    check(program, directory, "float32")


# ---------------------------------------------------------------------------
# Regressions: programs the generators above found (shrunk by hand). Each is
# checked like a generated one: the gradient matches central differences, or
# s2sad refuses the function with an S2SADError.

X = np.array([0.5, -1.0, 1.2])
W = np.array([0.3, 0.2, -0.1])
REGRESSIONS = [
    # a swap inside a loop: the second iteration's adjoints were dropped
    ("swap_in_loop", """
def swap_in_loop(x, d):
    for i in range(2):
        d, x = x, d
    return np.sum(d)
""", [X, 3.0 * X], ("x", "d")),
    # a for loop inside an if arm: every gradient came back zero, in both arms
    ("loop_in_if_else_then", """
def loop_in_if_else_then(x):
    if np.sum(x) > 0.0:
        for i in range(2):
            x = np.tanh(x)
    else:
        x = x * 2.0
    return np.sum(x)
""", [X], ("x",)),
    ("loop_in_if_else_else", """
def loop_in_if_else_else(x):
    if np.sum(x) > 0.0:
        for i in range(2):
            x = np.tanh(x)
    else:
        x = x * 2.0
    return np.sum(x)
""", [-X], ("x",)),
    ("loop_in_if_without_else", """
def loop_in_if_without_else(x):
    y = x * 1.0
    if np.sum(x) > 0.0:
        for i in range(2):
            y = np.tanh(y)
    return np.sum(y)
""", [X], ("x",)),
    # code after an early return sits in the other arm: a loop there lost v0's other adjoint
    ("early_return_then_loop", """
def early_return_then_loop(w):
    v0 = 0.5 + w[0]
    w = w - v0
    if np.sum(w) < 0.0:
        return v0
    for i in range(1):
        v0 = np.tanh(v0)
    return np.sum(w)
""", [-X], ("w",)),
    # a loop that computes only data (no gradient flows through it): NameError 'steps'
    ("inactive_loop", """
def inactive_loop(x, d):
    v = d * 1.0
    for i in range(2):
        v = np.tanh(v)
    return np.sum(x * v)
""", [X, W], ("x",)),
    # a loop that runs zero times and rebinds the argument: UnboundLocalError x_1
    ("zero_trip_loop", """
def zero_trip_loop(x, n):
    for i in range(n):
        x = np.tanh(x)
    return np.sum(x)
""", [X, 0], ("x",)),
    # np.tanh's rule reads its output; the loop's tape was left out when the code after
    # the loop does not read the value (-y): every iteration used the last output
    ("tanh_loop_then_negate", """
def tanh_loop_then_negate(x):
    y = x * 1.0
    for i in range(2):
        y = np.tanh(y)
    return np.sum(-y)
""", [X], ("x",)),
    ("tanh_loop_scalar_argument", """
def tanh_loop_scalar_argument(a):
    for i in range(2):
        a = np.tanh(a)
    return a
""", [0.7], ("a",)),
    # nested loops: the inner loop last in the outer body (NameError y_shape), or after
    # a statement (NameError y_1_shape), or alone (zero gradient)
    ("nested_inner_last", """
def nested_inner_last(w, x):
    y = x
    for i in range(2):
        for j in range(3):
            y = np.sin(w * y + j)
    return np.sum(y)
""", [W, X], ("w", "x")),
    ("nested_statement_first", """
def nested_statement_first(w, x):
    y = x
    for i in range(2):
        y = y * 0.5
        for j in range(3):
            y = np.sin(w * y + j)
    return np.sum(y)
""", [W, X], ("w", "x")),
    ("nested_alone", """
def nested_alone(x, n):
    y = x * 1.0
    for i in range(n):
        for j in range(n):
            y = np.sin(y)
    return np.sum(y)
""", [X, 2], ("x",)),
    # `not` over a long expression: the condition's variable was named `not` (black fails)
    ("not_long_condition", """
def not_long_condition(x):
    neg_exp_tanh_x = -np.exp(np.tanh(x))
    if not np.sum(neg_exp_tanh_x) > 0.0:
        return np.sum(x * x)
    return np.sum(x)
""", [X], ("x",)),
    # writes through a second name for the same array: NumPy changes x too
    ("alias_subscript_write", """
def alias_subscript_write(x):
    y = x
    y[0] = 0.5
    return np.sum(x)
""", [X], ("x",)),
    ("alias_augmented", """
def alias_augmented(x):
    y = x if np.sum(x) > 0 else x
    y *= 2.0
    return np.sum(x * x)
""", [X], ("x",)),
    ("helper_writes_its_argument", """
def _sets_first(u):
    u[0] = 0.5
    return 0.5


def helper_writes_its_argument(x):
    v = _sets_first(x)
    return np.sum(x) + v
""", [X], ("x",)),
    ("helper_scales_its_argument", """
def _doubles(u):
    u *= 2.0
    return 0.5


def helper_scales_its_argument(x):
    v = _doubles(x)
    return np.sum(x) + v
""", [X], ("x",)),
    # rebinding the array that enumerate / zip iterates: Python keeps iterating the first
    # array; the generated code read the rebound one (wrong value and gradient)
    ("enumerate_rebinds_iterated", """
def enumerate_rebinds_iterated(x):
    for i, e in enumerate(x):
        x = np.sin(x + e)
    return np.sum(x)
""", [X], ("x",)),
    ("zip_rebinds_iterated", """
def zip_rebinds_iterated(x, w):
    for p, q in zip(x, w):
        x = x * p + q
    return np.sum(x)
""", [X, W], ("x", "w")),
    # a data argument written in a while loop becomes varied from the second iteration
    ("while_writes_data_argument", """
def while_writes_data_argument(x, a, d):
    t0 = 0.0
    while t0 + 0.4 * np.tanh(a) < 1.2:
        d[0] += np.tanh(a)
        t0 = t0 + 1.0
    return np.sum(d)
""", [X, 0.0, np.zeros(3)], ("a",)),
    # a loop that overwrites the differentiated argument with values that do not depend on
    # it: the adjoint went straight through the loop (db = 1 for db = 0)
    ("loop_overwrites_argument", """
def loop_overwrites_argument(x, a, b):
    for e in x:
        b = a
    return b
""", [X, 0.3, 0.7], ("b",)),
    ("loop_overwrites_argument_with_data", """
def loop_overwrites_argument_with_data(x, b, d):
    for i in range(2):
        b = d * 2.0
    return np.sum(b * x)
""", [X, 2.0 * X, 3.0 * X], ("x", "b")),
    # a loop rebinds a name whose earlier value the backward of an earlier line still reads:
    # the backward read the value after the loop (db = 1.0 for 2 * 0.3)
    ("loop_rebinds_value_read_before", """
def loop_rebinds_value_read_before(b):
    y = b * b
    for i in range(1):
        b = 0.5
    return y
""", [0.3], ("b",)),
    ("loop_rebinds_array_read_before", """
def loop_rebinds_array_read_before(x):
    y = np.sum(x * x)
    for i in range(2):
        x = np.ones(3) * 0.5
    return y
""", [X], ("x",)),
    # a loop in an if arm inside a loop: when the inner loop never runs (the arm is not
    # taken, or it runs zero times) the backward read an unbound temporary (UnboundLocalError)
    ("loop_in_arm_in_loop_not_taken", """
def loop_in_arm_in_loop_not_taken(x):
    y = np.cos(x)
    for j in range(2):
        if np.sum(y) < -10.0:
            for i in range(2):
                y = np.tanh(y)
    return np.sum(y)
""", [X], ("x",)),
    # an update in place before an inner loop that swaps the updated name with another:
    # the check for a view read after the update named the swap's temporary (UnboundLocalError)
    ("update_then_swapping_loop", """
def update_then_swapping_loop(x, d):
    for i0 in range(1):
        d /= 1.0 + i0 * i0
        for i1 in range(0):
            d, x = x, d
    return np.sum(d)
""", [X, W], ("x",)),
    ("loop_in_arm_in_loop_zero_trips", """
def loop_in_arm_in_loop_zero_trips(x):
    y = np.cos(x)
    for j in range(2):
        if np.sum(y) > 0.0:
            for i in range(0):
                y = np.tanh(y)
    return np.sum(y)
""", [X], ("x",)),
]


@pytest.mark.parametrize("case", REGRESSIONS, ids=[c[0] for c in REGRESSIONS])
def test_regression(case, directory):
    name, body, args, wrt = case
    fun = load_function("import numpy as np\n\n" + body, name, directory)
    compare(fun, args, wrt, value=True, show=f"\n\nprogram:{body}")


CACHED_HELPER = """
import numpy as np


def helper(u):
    return u * {factor}


def cached(x):
    return np.sum(helper(x))
"""


def test_two_modules_with_the_same_function_text_get_their_own_gradients(directory):
    """The gradient cache was keyed by the code object, which compares equal across files:
    the second module's gradient came from the first module's helper."""
    x = np.array([1.0, 2.0])
    first = load_function(CACHED_HELPER.format(factor="u"), "cached", directory)
    second = load_function(CACHED_HELPER.format(factor="3.0"), "cached", directory)
    np.testing.assert_allclose(s2sad.grad(first)(x), 2.0 * x)
    np.testing.assert_allclose(s2sad.grad(second)(x), [3.0, 3.0])
