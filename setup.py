"""Packages for setuptools: the source folder ``app/`` installs as ``countersign``.

Everything else is declared in ``pyproject.toml``.  Sub-packages are found, not
listed, so a new one cannot be left out of the wheel; the resource folders are
listed as packages so that setuptools installs their files without warnings.
"""

from setuptools import find_namespace_packages, find_packages, setup

code = ["countersign" + name[len("app") :] for name in find_packages(include=["app", "app.*"])]
resources = ["countersign.resources"] + [
    f"countersign.resources.{name}"
    for name in find_namespace_packages(where="resources", exclude=["*__pycache__*"])
]
setup(
    packages=code + resources,
    package_dir={"countersign": "app", "countersign.resources": "resources"},
)
