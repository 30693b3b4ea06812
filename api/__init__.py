"""The portal's REST API (`/api/v1/`) and the personal access tokens that call it.

Why an app of its own, one layer below `moa_portal` and above every domain app
(`.importlinter`): the API reads across all of them (agreements, contacts, activities,
notifications, the audit trail's account events) the way the pages do, so it sits above them
all, and nothing below may import it. It holds no domain rule: every read goes through the
same visibility selectors as the pages (`agreements.permissions.visibility_of` and each app's
`selectors.py`), every permission through the same `<app>/permissions.py` functions, and every
write through the same `<app>/services.py` function a page calls, so a user sees and changes
through the API exactly what they see and change in the browser.
"""
