"""Reading the POST forms of a page from its HTML, for tests that fill them in (tests/test_bad_form_input.py)."""
from dataclasses import dataclass, field
from html.parser import HTMLParser

HEADER_FORMS = ("/sign-out", "/text-size")  # on every page, in the header


@dataclass
class Form:
    action: str
    fields: list = field(default_factory=list)   # [name, kind, value] in page order
    choices: dict = field(default_factory=dict)  # name -> values offered (selects, radios, checkboxes)

    def data(self, replace: dict | None = None) -> dict:
        out: dict[str, list] = {}
        for name, _kind, value in self.fields:
            out.setdefault(name, [])
            if value is not None:
                out[name].append(value)
        out |= replace or {}
        return out

    def kinds(self) -> dict:
        found = {}
        for name, kind, _ in self.fields:
            found.setdefault(name, kind)
        return found


class FormReader(HTMLParser):
    """Every POST form on a page, with the values a person would leave or choose."""

    def __init__(self, url: str = ""):
        super().__init__(convert_charrefs=True)
        self.url = url  # where a form without an action posts
        self.forms: list[Form] = []
        self.form = self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.form = Form(a.get("action") or self.url)
            self.forms.append(self.form)
        if self.form is None or "name" not in a:
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                self.form.choices.setdefault(name, []).append(a.get("value", "on"))
                self.form.fields.append([name, kind, a.get("value", "on") if "checked" in a else None])
            elif kind not in ("submit", "button", "file"):
                self.form.fields.append([name, "date" if "govuk-date-input__input" in a.get("class", "") else kind,
                                         a.get("value", "")])
        elif tag == "textarea":
            self.textarea = [name, "textarea", ""]
            self.form.fields.append(self.textarea)
        elif tag == "select":
            self.select = [name, "select", None]
            self.form.fields.append(self.select)
            self.form.choices[name] = []
        elif tag == "button" and a.get("value") is not None and name not in self.form.kinds():
            self.form.fields.append([name, "button", a["value"]])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None


class OptionReader(HTMLParser):
    """<option> values per <select> name (HTMLParser sees options outside the form reader's attrs)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.current, self.options, self.selected = None, {}, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "select":
            self.current = a.get("name")
            self.options.setdefault(self.current, [])
        elif tag == "option" and self.current:
            self.options[self.current].append(a.get("value", ""))
            if "selected" in a:
                self.selected[self.current] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.current = None


def read_forms(html: str, url: str = "") -> list[Form]:
    """The POST forms of the page at `url` (a form without an action posts back to it)."""
    reader, options = FormReader(url), OptionReader()
    reader.feed(html)
    options.feed(html)
    for form in reader.forms:
        for item in form.fields:
            if item[1] == "select":
                offered = options.options.get(item[0], [])
                form.choices[item[0]] = offered
                useful = [v for v in offered if v not in ("", "0")] or offered
                item[2] = options.selected.get(item[0]) or (useful[0] if useful else "")
    return [f for f in reader.forms if f.action not in HEADER_FORMS] + [
        f for f in reader.forms if f.action in HEADER_FORMS][:2]
