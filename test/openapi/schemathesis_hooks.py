"""Schemathesis hooks for test/openapi/schemathesis.e2e.test.ts (loaded through SCHEMATHESIS_HOOKS).

Two rules of the services cannot be written in an OpenAPI document:
- a list's `cursor` is opaque, and any cursor the list did not hand out is a 400 naming `cursor`
  (libs/http/src/pagination.ts): a generated cursor is never one the list handed out;
- an upload streams its file part to storage as it arrives, so the `path` field must come before it
  (services/projects/src/api/multipart-upload.ts): a document cannot order the parts of a multipart body;
- a job template's `parameters` is itself a JSON Schema whose parameters are named like identifiers and
  whose defaults pass it (services/jobs/src/domain/parameters.ts): the document says it is an object
  schema, and cannot say that the rest of it compiles;
- a job template's `command` starts with the program, a word without placeholders
  (services/jobs/src/domain/template.ts): OpenAPI 3.0 has no schema for one element of an array alone.
This check is positive_data_acceptance except for exactly those answers: a 400 whose field errors are only
those. Anything else is judged as before.
"""

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

FOREIGN_CURSOR = [{"field": "cursor", "message": "is not a cursor this list handed out"}]
TEMPLATE_FIELDS = {"parameters", "command"}
PATH_AFTER_FILE = [{"field": "path", "message": "must come before the file part"}]


def unstatable(case, errors):
    if errors == FOREIGN_CURSOR:
        return "cursor" in (case.query or {})
    if errors == PATH_AFTER_FILE:
        return (case.media_type or "").startswith("multipart/form-data")
    if errors and all(error.get("field") in TEMPLATE_FIELDS for error in errors):
        return case.method == "POST" and case.path == "/api/job-templates"
    return False


@schemathesis.check
def positive_data_acceptance_but_unstatable_rules(ctx, response, case):
    if response.status_code == 400:
        try:
            errors = response.json().get("errors")
        except ValueError:
            errors = None
        if unstatable(case, errors):
            return None
    return positive_data_acceptance(ctx, response, case)
