# Seed post 03-best-practices.txt, section "5. Use CancelTokens for Long Operations" (sample 6).
# mypy: ignore-errors
# ruff: noqa
# fmt: off
from axios_python import CancelToken
def handle_user_abort():
    token.cancel("User navigated away")
token = CancelToken()
try:
    response = api.get("/reports/large-export.csv", cancel_token=token)
except axios_python.CancelError:
    print("Cleanly aborted request")
