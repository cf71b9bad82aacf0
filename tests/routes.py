"""Build a URL for any rule in the URL map, so sweeps cover every route the day it lands."""

from werkzeug.routing.converters import NumberConverter


def numeric_arg(rule, name: str) -> bool:
    return isinstance(rule._converters[name], NumberConverter)


def dummy(rule, name: str):
    """A stand-in for an argument no sample covers yet: an id that exists nowhere, or a word."""
    return 2147483000 if numeric_arg(rule, name) else "x"


def build(rule, values: dict) -> str:
    """The path of `rule`: the sample value of each argument, a dummy where there is none."""
    fixed = rule.defaults or {}  # e.g. the verb of the coach's roster actions
    args = {name: values[name] if name in values else dummy(rule, name)
            for name in rule.arguments if name not in fixed} | fixed
    built = rule.build(args, append_unknown=False)
    assert built, rule.rule
    return built[1]


def fully_sampled(rule, values: dict) -> bool:
    """Every argument has a real sample, so the page should really be there."""
    return set(rule.arguments) <= set(values)


def console_rules(app, method: str) -> list:
    """Every studio-console rule (under /manage/<studio>) answering `method`."""
    return [r for r in app.url_map.iter_rules()
            if r.rule.startswith("/manage/<studio>") and method in r.methods]


def coach_rules(app, method: str) -> list:
    """Every coach-area rule with the studio in it (under /coach/<studio>) answering `method`."""
    return [r for r in app.url_map.iter_rules()
            if r.rule.startswith("/coach/<studio>") and method in r.methods]
