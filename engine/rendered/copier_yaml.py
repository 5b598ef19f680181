"""copier.yml, generated from cookiecutter.json: one tree, questions asked by either tool.

The questions, defaults, help texts and choices come from cookiecutter.json; the
validators from its ``_rules`` (the same rules and reasons the pre-generation hook reads),
its choices and its flags, so that every answer the hook refuses gets the hook's line
from copier too, typed at the prompt or given with ``--data``. copier never runs
``hooks/``, so what the hooks do is said here in copier's own terms: validators for the
pre-generation hook, a templated ``_exclude`` for the empty migrations folders the
post-generation hook removes, and ``_message_after_copy`` for the first steps it prints.
No ``_tasks``, no Jinja extensions: nothing needs ``--trust``.

Template files read ``cookiecutter.<name>``; under copier a computed question named
``cookiecutter`` (``when: false``, never stored) holds the answers under those names.

``uv run python -m engine.rendered.copier_yaml`` writes copier.yml; tests/test_copier.py fails
when the file differs from what this module makes.
"""

from __future__ import annotations

import json
import keyword
import re
import shlex
from pathlib import Path

from cookiecutter.prompt import YesNoPrompt
from slugify import slugify

from engine.ground import GUIDE, HOOKS, OPTIONS, PROJECT, RULES, TEMPLATE, Option, guide

COPIER_YML = TEMPLATE / "copier.yml"
ANSWERS_FILE = ".copier-answers.yml"

# Questions a library is never asked: their answers shape services only.
SERVICE_ONLY = ("database", "cache")
# The letters copier's default slug transliterates as cookiecutter's ``slugify``
# (python-slugify) does: the Latin, IPA, Greek and Cyrillic blocks. Letters of other scripts
# are dropped, where cookiecutter transliterates them; the README says so.
TRANSLITERATED = ((0x00C0, 0x02B0), (0x0370, 0x0530), (0x1E00, 0x1F00))
NEVER_MATCHES = r"(?!x)x"


def transliterations() -> dict[str, str]:
    """What each letter becomes in a slug (python-slugify's own answer), letters by result.

    A letter that becomes punctuation is left out: it ends as a '-' between words either
    way. A letter that becomes nothing is kept: it joins its neighbours.
    """
    groups: dict[str, str] = {}
    for first, end in TRANSLITERATED:
        for letter in map(chr, range(first, end)):
            result = slugify(letter, regex_pattern=NEVER_MATCHES)
            if letter.isalpha() and (result == "" or re.search("[a-z0-9]", result)):
                groups[result] = groups.get(result, "") + letter
    return dict(sorted(groups.items()))


def slug_default() -> str:
    """cookiecutter.json's ``project_name | slugify``, in Jinja copier runs (no extensions)."""
    steps = [f"| regex_replace('[{letters}]', '{result}')" for result, letters in transliterations().items()]
    steps += [
        "| lower",
        "| regex_replace('(?<=[0-9]),(?=[0-9])', '')",
        "| regex_replace('[^a-z0-9]+', '-')",
        "| regex_replace('^-+|-+$', '') }}",
    ]
    return "\n".join(["{{ project_name", *steps])


# cookiecutter.json's defaults that are Jinja with cookiecutter's own extensions, in copier's
# terms.
DEFAULTS = {"project_slug": slug_default()}
# Private variables the template files read, in copier's terms.
PRIVATE = {
    "__year": "'%Y' | strftime",
    "__answers": "_copier_conf.answers_file | string",
}
# What a refresh never touches: the template pyproject.toml's ``[tool.cruft] skip`` (the
# application code). copier leaves it out of ``copier update`` (an ``_exclude`` for that
# operation only), so, as with cruft, a refresh neither changes it nor brings back a file
# the team deleted; ``_skip_if_exists`` would bring such a file back.
CRUFT_SKIP = re.compile(r"^\[tool\.cruft\]\nskip = (\[.*\])$", re.MULTILINE)


def refresh_skips() -> list[str]:
    template_pyproject = PROJECT / "pyproject.toml"
    found = CRUFT_SKIP.search(template_pyproject.read_text("utf-8"))
    assert found, f"{template_pyproject} has no one-line [tool.cruft] skip"
    return [
        '{% if _copier_operation == "update" %}' + path.replace("cookiecutter.", "") + "{% endif %}"
        for path in json.loads(found.group(1))
    ]


# The post-generation hook removes the migrations folders when nothing was rendered into
# them: copier does not create them in the first place.
EXCLUDE = '{% if not (project_kind == "service" and database != "none") %}src/*/migrations{% endif %}'

# The ``_rules`` checks as the regular expressions copier's ``regex_search`` filter
# (jinja2-ansible-filters, built into copier) applies: each must match for the answer to
# pass, except ``one_line``'s, which must not. tests/test_copier.py proves they agree with
# the hook's Python on every answer the hook refuses or accepts in tests/test_hooks.py.
KEYWORDS = "|".join(word for word in keyword.kwlist if word.islower())
PASSES = {
    "one_line": r"\A[^\x00-\x1f\x7f]*\Z",
    "not_blank": r"\S",
    "slug": r"\A[a-z0-9][a-z0-9_-]*\Z",
    "package": r"\A[a-z_][a-z0-9_]*\Z",
    "not_keyword": rf"\A(?!(?:{KEYWORDS})\Z)",
    "email": r"\A[^@\s]+@[^@\s]+\.[^@\s.]+\Z",
    "github_owner": r"\A(?!.*--)[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?\Z",
    "percent": r"\A0*(?:[0-9]{1,2}(?:\.[0-9]+)?|100(?:\.0+)?)\Z",
}


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _jinja_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def refusal(name: str, condition: str, reason: str) -> str:
    """Jinja for one rule: the hook's line, without its 'error: ' prefix."""
    return f"{{% if {condition} %}}{name} {{{{ '%r' | format({name}) }}}} is not allowed: {reason}"


def flag_check(name: str) -> str:
    """True when a flag's answer, as given with ``--data``, is not one cookiecutter accepts.

    copier casts any answer to a flag (``maybe`` is true) before its validator sees it;
    the answer as given is in ``_copier_conf.data``. cookiecutter takes True, False and the
    spellings its yes/no prompt knows, and refuses the rest, as this check does.
    """
    given = f"_copier_conf.data.{name}"
    spellings = json.dumps([*YesNoPrompt.yes_choices, *YesNoPrompt.no_choices])
    return (
        f'"{name}" in _copier_conf.data and {given} is not boolean'
        f" and not ({given} is string and ({given} | trim | lower) in {spellings})"
    )


def validator(option: Option) -> str | None:
    """The Jinja that renders the first problem with an answer, or nothing."""
    name = option.name
    if option.kind == "flag":
        given = f"_copier_conf.data.{name}"
        line = f"{name} {{{{ '%r' | format({given}) }}}} is not allowed: answer true or false"
        return f"{{% if {flag_check(name)} %}}{line}{{% endif %}}"
    branches = []
    for rule in RULES:
        if name in rule.fields:
            search = f"({name} | regex_search({_jinja_string(PASSES[rule.check])})) is none"
            if rule.check == "not_keyword":
                search = f"({name} | regex_search({_jinja_string(PASSES['package'])})) and {search}"
            branches.append((search, rule.reason))
    if option.kind == "choice":
        offered = ", ".join(map(str, option.choices))
        branches.append((f"{name} not in {json.dumps(list(option.choices))}", f"choose one of {offered}"))
    if not branches:
        return None
    parts = [refusal(name, condition, reason) for condition, reason in branches]
    return "".join(parts[:1] + [part.replace("{% if", "{% elif", 1) for part in parts[1:]]) + "{% endif %}"


def question(option: Option) -> list[str]:
    name = option.name
    lines = [f"{name}:", f"  type: {'bool' if option.kind == 'flag' else 'str'}", f"  help: {_quoted(option.label)}"]
    if option.kind == "choice":
        # The list the prompt offers; an answer given with --data meets no list, so that
        # the validator, not copier's own choice check, says what is offered.
        lines.append("  choices: |-")
        lines.append(f'    {{% if "{name}" in _copier_conf.data %}}{{}}{{% else %}}')
        for choice in option.choices:
            lines.append(f"    {_quoted(option.choice_label(choice))}: {_quoted(str(choice))}")
        lines.append("    {% endif %}")
    if option.kind == "flag":
        lines.append(f"  default: {json.dumps(option.default)}")
    else:
        default = DEFAULTS.get(name, option.default.replace("cookiecutter.", ""))
        if "\n" in default:
            lines.append("  default: >-")
            lines += [f"    {line}" for line in default.splitlines()]
        else:
            lines.append(f"  default: {_quoted(default)}")
    if name in SERVICE_ONLY:
        lines.append("  when: \"{{ project_kind == 'service' }}\"")
    if (check := validator(option)) is not None:
        lines.append(f"  validator: {_quoted(check)}")
    return lines


def namespace(names: list[str]) -> list[str]:
    """The computed ``cookiecutter`` question: every answer under the name the files read."""
    pairs = [f"'{name}': {name}" for name in names]
    pairs += [f"'{name}': {expression}" for name, expression in PRIVATE.items()]
    return [
        "# What the template files read as cookiecutter.<name>; computed, never asked or stored.",
        "cookiecutter:",
        "  type: json",
        "  when: false",
        "  default: >-",
        "    {{ {" + ", ".join(pairs) + "} | tojson }}",
    ]


# What a bake prints at the end: the hook's HEADER and its guide's "First steps" block,
# the one source of both. The post-generation hook reads them from the rendered guide;
# copier, which never runs hooks, prints them as ``_message_after_copy`` (no ``--trust``).
HOOK = HOOKS / "post_gen_project.py"
HEADER = re.compile(r'^HEADER = "(.*)"$', re.MULTILINE)
FIRST_STEPS = re.compile(r"^## First steps\n.*?^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)
FIRST_CD = "cd {{ cookiecutter.project_slug }}\n"
DESTINATION = "_copier_conf.dst_path | realpath"


def first_steps(readme: str) -> list[str]:
    """The lines of a guide's "First steps" block, rendered or not."""
    found = FIRST_STEPS.search(readme)
    assert found, "the guide has no First steps block"
    return found.group(1).splitlines()


def header() -> str:
    found = HEADER.search(HOOK.read_text("utf-8"))
    assert found, f"{HOOK} has no one-line HEADER"
    return found.group(1)


def first_steps_message(project: Path) -> list[str]:
    """What making ``project`` prints (the hook, or copier), from its rendered guide."""
    steps = first_steps(guide(project).read_text("utf-8"))
    return [header().format(path=project), "", f"cd {shlex.quote(str(project))}", *steps[1:]]


def message_after_copy() -> list[str]:
    """copier's ``_message_after_copy``: the hook's HEADER and the guide's block, in Jinja."""
    steps = first_steps(GUIDE.read_text("utf-8"))
    assert steps[0] + "\n" == FIRST_CD, f"{GUIDE}: the First steps block does not start with {FIRST_CD!r}"
    return [
        "_message_after_copy: |-",
        f"  {header().replace('{path}', '{{ ' + DESTINATION + ' }}')}",
        "",
        f"  cd {{{{ {DESTINATION} | quote }}}}",
        *(f"  {line}" for line in steps[1:]),
    ]


def render() -> str:
    names = list(OPTIONS)
    lines = [
        "# Generated from cookiecutter.json (and the template pyproject's [tool.cruft] skip, the",
        "# generated guide's First steps, the post-generation hook's HEADER) by",
        "# `uv run python -m engine.rendered.copier_yaml`: edit those (or engine/rendered/copier_yaml.py) and",
        "# regenerate; tests/test_copier.py fails when this file is stale.",
        '_min_copier_version: "9.19"',
        '_subdirectory: "{% raw %}{{cookiecutter.project_slug}}{% endraw %}"',
        '_templates_suffix: ""',
        f"_answers_file: {ANSWERS_FILE}",
        "_exclude:",
        f"  - {_quoted(EXCLUDE)}",
        *(f"  - {_quoted(path)}" for path in refresh_skips()),
        *message_after_copy(),
        "",
    ]
    for option in OPTIONS.values():
        lines += [*question(option), ""]
    lines += namespace(names)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    COPIER_YML.write_text(render(), "utf-8")
