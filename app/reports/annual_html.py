"""The annual report as a printable HTML page (A4), charts drawn on the server as SVG."""

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from app.reports.charts import Series, columns, horizontal_bars
from app.services.strategies import STATUS_WORDS  # the words the action plan's CSV uses too

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    # Organisation names and narratives are user input: everything is escaped unless marked as our own markup.
    autoescape=select_autoescape(["html"]),
)


def css_string(value: str) -> Markup:
    """`value` as the inside of a CSS string in a <style> element, where HTML entities mean nothing: quotes and
    backslashes escaped, and `<` written as a CSS escape so no `</style>` can end the element."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return Markup(escaped)


TEMPLATES.filters["css_string"] = css_string
STATUS_LABELS = {str(key): words for key, words in STATUS_WORDS.items()}
OFFERS = Series("Offers", "#1d70b8")
PLACES = Series("Places offered", "#505a5f")
STARTS = Series("Young people started", "#00703c")
SIGNATORIES = Series("New signatories", "#1d70b8")


def render_annual_report(report: dict[str, Any]) -> str:
    priorities = report["priorities"]
    charts = {
        "offers": horizontal_bars(
            "Offers by priority", [(row["priority"]["title"], [row["offers"]]) for row in priorities], [OFFERS]
        ),
        "delivery": horizontal_bars(
            "Delivery against places",
            [(row["priority"]["title"], [row["places_offered"], row["starts"]]) for row in priorities],
            [PLACES, STARTS],
        ),
        "signatories": columns(
            "New signatories by month",
            [row["month"] for row in report["new_signatories_by_month"]],
            [row["signatories"] for row in report["new_signatories_by_month"]],
            SIGNATORIES,
        ),
    }
    template = TEMPLATES.get_template("annual_report.html")
    running_header = f"{report['covenant']['title']} · Annual report {report['year']}"
    return template.render(
        report=report,
        charts={name: Markup(svg) for name, svg in charts.items()},
        running_header=running_header,
        status_words=STATUS_LABELS,
        sources=SOURCE_WORDS,
        response_words=RESPONSE_WORDS,
    )


def page_as_pdf(page: str) -> bytes:
    """The printable page as an A4 PDF (CSS paged media: page numbers, the running header). CPU-bound: call it
    in a thread."""
    from weasyprint import HTML  # loaded on the first PDF, not by every worker at start

    return bytes(HTML(string=page).write_pdf())


PANEL_FIGURES = [
    ("offers", "Offers on the register"),
    ("places_offered", "Places offered"),
    ("starts", "Young people who started"),
    ("sustained", "Still there after six months"),
]


def _signed(change: int) -> str:
    return f"+{change}" if change > 0 else str(change)


def render_panel_pack(pack: dict[str, Any]) -> str:
    """The panel pack as a printable page: the same paged-media rules as the annual report."""
    template = TEMPLATES.get_template("panel_pack.html")
    return template.render(
        pack=pack,
        figures=PANEL_FIGURES,
        signed=_signed,
        status_words=STATUS_LABELS,
        running_header=f"{pack['covenant']['title']} · Panel pack {pack['year']}",
    )


def count_in_words(value: int | str) -> str:
    """A count as a young person's version says it: the number, or what a suppression marker means."""
    if value == "<5":
        return "Fewer than 5"
    if value == "[c]":
        return "Some"
    return str(value)


def render_for_young_people(report: dict[str, Any]) -> str:
    """The same year in plain English, for care leavers: public figures only, short sentences, no charts."""
    template = TEMPLATES.get_template("young_people.html")
    running_header = f"{report['covenant']['title']} · {report['year']}"
    return template.render(report=report, words=count_in_words, running_header=running_header)


SOURCE_WORDS = {
    "children_in_care_council": "Children in care council",
    "care_leavers_forum": "Care leavers' forum",
    "survey": "A survey",
    "consultation_event": "A consultation event",
    "individual": "A young person",
}
RESPONSE_WORDS = {"heard": "Heard", "in_progress": "Working on it", "done": "Done", "not_possible": "Not possible"}


def render_you_said_we_did(page: dict[str, Any]) -> str:
    """A covenant's "you said, we did" as a plain page."""
    template = TEMPLATES.get_template("you_said_we_did.html")
    return template.render(
        page=page,
        sources=SOURCE_WORDS,
        response_words=RESPONSE_WORDS,
        running_header=f"{page['covenant']['title']} · You said, we did",
    )
