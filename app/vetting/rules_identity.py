"""The DBS identity-checking routes, as pure rules over the document types seen (never the documents).

Route 1: a group 1 document and at least one more (2 or more in all).
Route 2: nobody with a group 1 document uses it; a group 2a document and at least two more (3 or more in all).
Route 3: no group 1 document; a birth certificate issued after the time of birth, one more group 2a document,
and three further documents (5 or more in all).
Every name used and every address of the last five years must be confirmed, whatever the route.
"""
from app.vetting.enums import IdDocument, IdRoute


def identity_problems(route: IdRoute, documents, names_confirmed: bool, addresses_confirmed: bool) -> list[str]:
    """Why this identity check does not meet the DBS route chosen (empty when it does)."""
    docs = [IdDocument(d) for d in documents]
    groups = [d.group for d in docs]
    problems = []
    if len(set(docs)) != len(docs):
        problems.append("Each document type can be counted only once")
    if route == IdRoute.ROUTE_1:
        if "1" not in groups or len(docs) < 2:
            problems.append("Route 1 needs a group 1 document and at least one more document")
    elif "1" in groups:
        problems.append("Someone with a group 1 document must be checked on route 1")
    elif route == IdRoute.ROUTE_2:
        if "2a" not in groups or len(docs) < 3:
            problems.append("Route 2 needs a group 2a document and at least two more documents")
    elif (IdDocument.BIRTH_CERTIFICATE_LATER not in docs or groups.count("2a") < 2 or len(docs) < 5):
        problems.append("Route 3 needs a birth certificate issued after the time of birth, one more group 2a "
                        "document and three further documents")
    if not names_confirmed:
        problems.append("Confirm every name they have used")
    if not addresses_confirmed:
        problems.append("Confirm every address of the last five years")
    return problems
