"""The layers contract (.importlinter) covers every app of the project."""

import configparser
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _contract():
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return config


def test_every_project_app_is_a_root_package_of_the_layers_contract():
    roots = set(_contract()["importlinter"]["root_packages"].split())
    ours = {config.name.split(".")[0] for config in apps.get_app_configs()
            if Path(config.path).resolve().is_relative_to(ROOT) and ".venv" not in config.path}
    assert ours - roots == set(), "add these apps to root_packages in .importlinter"


def test_every_root_package_has_a_layer():
    config = _contract()
    roots = set(config["importlinter"]["root_packages"].split())
    layers = config["importlinter:contract:layers"]["layers"]
    named = {part.strip().strip("()") for line in layers.split() for part in line.split("|")}
    assert roots - named == set()
