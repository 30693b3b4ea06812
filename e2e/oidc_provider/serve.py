"""Run the throwaway provider: migrate its SQLite database, create its users and the portal's
client, then serve on 127.0.0.1:PORT until killed. Started by run.py as a subprocess."""

import json
import os
import sys

import django


def main() -> None:
    port = int(sys.argv[1])
    os.environ["DJANGO_SETTINGS_MODULE"] = "e2e.oidc_provider.settings"
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0, interactive=False)
    client = json.loads(os.environ["OIDC_TEST_CLIENT"])
    for username, user in json.loads(os.environ.get("OIDC_TEST_USERS", "{}")).items():
        get_user_model().objects.create_user(username, user.get("email", ""), user["password"])
    Application = get_application_model()
    Application.objects.create(
        name="MOA Portal",
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(client["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    print("ready", flush=True)
    run("127.0.0.1", port, get_wsgi_application(), threading=True, server_cls=WSGIServer)


if __name__ == "__main__":
    main()
