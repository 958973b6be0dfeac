"""No Docker engine runs here: check the compose file's services, volumes and commands against
the CLI that the image's entrypoint runs."""

import re

import yaml

from assistant.cli import cli
from assistant.settings import Settings
from tests.conftest import ROOT


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_profiles_and_volumes():
    c = compose()
    assert set(c["services"]) == {"chroma", "api", "slack", "ingest", "sync"}
    assert c["services"]["slack"]["profiles"] == ["slack"]
    assert c["services"]["sync"]["profiles"] == ["sync"]
    assert c["services"]["ingest"]["profiles"] == ["ingest"]
    assert "profiles" not in c["services"]["api"] and "profiles" not in c["services"]["chroma"]
    chroma = c["services"]["chroma"]
    assert chroma["image"].startswith("chromadb/chroma:")
    volume, target = chroma["volumes"][0].split(":")[:2]
    assert volume in c["volumes"] and target == "/data"
    assert "/api/v2/heartbeat" in " ".join(chroma["healthcheck"]["test"])


def test_clerk_services_use_the_server_and_wait_for_it():
    c = compose()
    for name in ("api", "slack", "ingest", "sync"):
        service = c["services"][name]
        assert service["build"] == "."
        assert service["environment"]["CLERK_CHROMA_URL"] == "http://chroma:8000"
        backend = re.fullmatch(r"\$\{CLERK_EMBED_BACKEND:-(.+)\}",
                               service["environment"]["CLERK_EMBED_BACKEND"]).group(1)
        assert backend == Settings.model_fields["embed_backend"].default
        assert service["depends_on"]["chroma"]["condition"] == "service_healthy"
    assert c["services"]["api"]["ports"] == ["8000:8000"]
    assert c["services"]["ingest"]["volumes"][0].endswith(":/papers:ro")
    # one data folder for the processes that share alert subscriptions and downloads
    for name in ("api", "slack", "ingest", "sync"):
        assert "clerk-data:/data" in c["services"][name]["volumes"]
    assert "clerk-data" in c["volumes"]


def test_every_command_is_a_real_cli_command_with_real_options():
    c = compose()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["clerk"]' in dockerfile
    assert "torch==2.13.0" in dockerfile and "download.pytorch.org/whl/cpu" in dockerfile
    default = re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1)
    commands = [yaml.safe_load(default)] + [s["command"] for s in c["services"].values()
                                            if "command" in s]
    commands += [line.split()[2:] for line in dockerfile.splitlines()
                 if line.startswith("RUN clerk ")]
    assert ["export-onnx"] in commands  # the ONNX exports are baked into the image
    for argv in commands:
        name, *rest = argv
        assert name in cli.commands, f"clerk {name} does not exist"
        command = cli.commands[name]
        if rest and rest[0] in getattr(command, "commands", {}):  # a group: clerk sync moderngov
            command = command.commands[rest[0]]
        params = {opt for p in command.params for opt in getattr(p, "opts", [])}
        for arg in rest:
            if arg.startswith("--"):
                assert arg in params, f"clerk {name} has no option {arg}"
