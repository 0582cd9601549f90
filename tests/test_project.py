"""The project as a newcomer meets it: settings, start-up commands, login."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from seventime.sandbox import store

ROOT = Path(__file__).resolve().parent.parent


SHOW_TIME_ZONE = "import django; django.setup(); from django.conf import settings; print(settings.TIME_ZONE)"


def run_settings(code=SHOW_TIME_ZONE, **env):
    """Import the real settings in a fresh interpreter with exactly this environment."""
    clean = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="dashboard.settings")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "docs",  # no .env file is read from here: settings look next to manage.py only
        env={**clean, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_wsgi_entry_point_freezes_what_start_up_loaded_out_of_the_collectors_way():
    code = "import gc; import dashboard.wsgi as w; print(callable(w.application), gc.get_freeze_count())"
    result = run_settings(code, DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    serves, frozen = result.stdout.split()
    # Django and the apps are tens of thousands of objects; without the freeze, none.
    assert serves == "True" and int(frozen) > 20_000


def test_missing_secret_key_with_debug_off_stops_start_up_with_a_clear_message():
    if (ROOT / ".env").exists():
        pytest.skip("a local .env file may set SECRET_KEY")
    result = run_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_settings_load_with_a_secret_key_and_default_to_stockholm_time():
    result = run_settings(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Europe/Stockholm"


def test_debug_mode_starts_without_a_secret_key():
    if (ROOT / ".env").exists():
        pytest.skip("a local .env file may set DEBUG")
    assert run_settings(DEBUG="true").returncode == 0


@pytest.mark.parametrize("path", ["/", "/customers/", "/invoices/", "/users/", "/admin/"])
def test_every_page_requires_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/") or response["Location"].startswith("/admin/login/")


def test_login_page_and_static_files_are_public(client, db):
    assert client.get("/login/").status_code == 200
    css = client.get("/static/css/dashboard.css")
    assert css.status_code == 200


def test_logging_in_and_out(client, office_user):
    response = client.post("/login/", {"username": "olivia", "password": "pw-olivia"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/logout/").status_code == 405  # logging out takes a POST (CSRF-protected)
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_wrong_password_shows_an_error_and_keeps_the_username(client, office_user):
    response = client.post("/login/", {"username": "olivia", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert b'value="olivia"' in response.content


def test_createsuperuser_noinput_reads_django_superuser_variables(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "boss")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-password-1")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "boss@example.se")
    call_command("createsuperuser", interactive=False, verbosity=0)
    user = get_user_model().objects.get(username="boss")
    assert user.is_superuser and user.check_password("a-long-password-1")


def test_groups_exist_with_their_permissions(db):
    from django.contrib.auth.models import Group

    office = set(Group.objects.get(name="Office staff").permissions.values_list("codename", flat=True))
    managers = set(Group.objects.get(name="Managers").permissions.values_list("codename", flat=True))
    assert "view_customers" in office and "add_invoices" in office
    assert "view_users" not in office and "view_invoice_overview" not in office
    assert office < managers and {"view_users", "view_invoice_overview"} <= managers


def test_demo_setup_creates_the_printed_logins_and_keeps_existing_data(db, capsys):
    before = len(store.all("customers"))
    call_command("demo_setup")
    out = capsys.readouterr().out
    assert "already present" in out
    assert len(store.all("customers")) == before  # first-run only: nothing reloaded
    users = get_user_model().objects
    for username, password in (("office", "office-demo"), ("manager", "manager-demo"), ("admin", "admin-demo")):
        assert username in out and password in out
        assert users.get(username=username).check_password(password)
    assert users.get(username="manager").has_perm("dashboard.view_users")
    assert not users.get(username="office").has_perm("dashboard.view_users")
    assert users.get(username="admin").is_superuser


def test_demo_setup_does_nothing_against_the_real_api(db, settings, capsys):
    settings.SEVENTIME_API_URL = "https://api.example.test/api/1/"
    call_command("demo_setup")
    assert "no demo data or demo logins" in capsys.readouterr().out
    assert not get_user_model().objects.filter(username="admin").exists()


def test_sandbox_reset_replaces_the_data(db):
    store.add("customers", {"_id": "extra-customer", "name": "Tillfällig AB", "customerNumber": "9999"})
    assert store.get("customers", "extra-customer")
    call_command("sandbox_reset", verbosity=0)
    assert store.get("customers", "extra-customer") is None
    assert len(store.all("customers")) >= 300


def test_sandbox_reset_if_empty_loads_an_empty_sandbox(db):
    from seventime.sandbox.models import Document

    Document.objects.all().delete()
    call_command("sandbox_reset", if_empty=True, verbosity=0)
    assert len(store.all("invoices")) == 600


def test_pages_are_served_under_a_strict_content_security_policy(office_client):
    response = office_client.get("/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_sandbox_api_is_not_served_when_the_real_api_is_configured(db, client):
    import importlib

    from django.test import override_settings
    from django.urls import Resolver404, clear_url_caches, resolve

    import dashboard.urls

    try:
        with override_settings(SANDBOX_ENABLED=False):
            clear_url_caches()
            importlib.reload(dashboard.urls)
            with pytest.raises(Resolver404):
                resolve("/sandbox/api/1/customers")
    finally:
        clear_url_caches()
        importlib.reload(dashboard.urls)
    assert resolve("/sandbox/api/1/customers").url_name == "api"


def test_settings_serve_the_sandbox_only_without_a_real_api_url():
    probe = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; print(settings.SANDBOX_ENABLED)"],
        cwd=ROOT / "docs",
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "dashboard.settings", "DEBUG": "true",
             "SEVENTIME_API_URL": "https://api.example.test/api/1/", "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=60,
    )
    assert probe.stdout.strip() == "False", probe.stderr


def test_the_language_can_be_switched_to_swedish(office_client):
    page = office_client.get("/").content.decode()
    assert 'name="language" value="sv"' in page
    response = office_client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert response.status_code == 302
    assert 'lang="sv"' in office_client.get("/").content.decode()


# --- the house: what may import what (docs/architecture.md) ---


def _modules(package: str) -> dict[str, Path]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every module `name` imports, at the top or inside a function, relative imports resolved."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                target = ".".join(package + ([node.module] if node.module else []))
            else:
                target = node.module
            # `from package import module` imports the module; `from module import name`, the module.
            found.update(f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target for alias in node.names)
    return found


def test_the_api_client_package_knows_nothing_of_django_the_dashboard_or_its_sandbox():
    for name, path in _modules("seventime").items():
        if name.startswith("seventime.sandbox"):
            continue  # the sandbox is a Django app that depends on seventime, not the other way round
        outside = {
            module
            for module in _imports(name, path, {})
            if module.split(".")[0] in ("django", "dashboard") or module.startswith("seventime.sandbox")
        }
        assert not outside, f"{name} imports {sorted(outside)}"


def test_dashboard_modules_import_one_another_without_circles_and_only_urls_import_views():
    known = _modules("dashboard")
    graph = {name: _imports(name, path, known) & known.keys() - {name} for name, path in known.items()}
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for imported in sorted(graph[name]):
            assert state.get(imported) != "open", "import circle: " + " -> ".join([*trail, name, imported])
            if imported not in state:
                visit(imported, [*trail, name])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    views = {name for name in known if name.rsplit(".", 1)[-1] in ("views", "audit_views")}
    for name, imported in graph.items():
        if name.rsplit(".", 1)[-1] != "urls":
            assert not imported & views, f"{name} imports a view: {sorted(imported & views)}"


def test_only_the_api_errors_module_tells_the_kinds_of_api_error_apart():
    """Words for an API error come from dashboard/api_errors.py, and whether it is worth
    retrying or may have created a record from the error itself (`retryable`,
    `may_have_created`): no other dashboard module asks which kind of error it has
    (`isinstance`, `except`), but for ValidationError, whose `field` a create form places,
    and `except NotFound` where a record that is not there is an answer (a lookup)."""
    import seventime

    kinds = {
        name
        for name in seventime.__all__
        if isinstance(getattr(seventime, name), type)
        and issubclass(getattr(seventime, name), seventime.SevenTimeError)
        and name not in ("SevenTimeError", "ValidationError")
    }
    for name, path in _modules("dashboard").items():
        if name == "dashboard.api_errors":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                if getattr(node.type, "id", "") == "NotFound":
                    continue
                checked = node.type
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("isinstance", "issubclass"):
                checked = node.args[1]
            else:
                continue
            named = {sub.id for sub in ast.walk(checked) if isinstance(sub, ast.Name)} | {
                sub.attr for sub in ast.walk(checked) if isinstance(sub, ast.Attribute)
            }
            assert not named & kinds, f"{path.relative_to(ROOT)}:{node.lineno} tells {sorted(named & kinds)} apart"


def test_entities_and_the_form_framework_import_no_capability():
    """Layers run one way: views -> services and entities -> seventime. The entity
    declarations and the form framework are read by browse/, create/ and overview/,
    so they import none of those, nor the URLs."""
    known = _modules("dashboard")
    capabilities = ("dashboard.browse", "dashboard.create", "dashboard.overview", "dashboard.receivables", "dashboard.urls")
    declarations = [name for name in known if name.startswith("dashboard.entities") or name == "dashboard.forms"]
    assert "dashboard.entities.base" in declarations
    for name in declarations:
        wrong = {module for module in _imports(name, known[name], known) & known.keys() if module.startswith(capabilities)}
        assert not wrong, f"{name} imports {sorted(wrong)}"
    assert "dashboard.resources" not in known  # the kinds are declared in dashboard/entities/
