"""Helpers to make test and sample data: a FIT encoder, activity simulation, TCX writing.

Used by ``scripts/make_sample_data.py`` and by the test suite (which generates FIT files from
scratch rather than shipping binaries). lactlog itself never imports this package.

* :mod:`~lactlog.testing.fitwriter` — raw FIT records, header and CRCs (:class:`FitWriter`).
* :mod:`~lactlog.testing.fitprofile` — messages by profile name, physical values
  (:class:`ProfileEncoder`).
* :mod:`~lactlog.testing.fitactivity` — a whole activity file from 1 Hz samples
  (:func:`write_activity`).
* :mod:`~lactlog.testing.tcxwriter` — TCX activities (:func:`write_tcx`).
* :mod:`~lactlog.testing.simulate` — deterministic heart-rate, power, speed and route models.
* :mod:`~lactlog.testing.damage` — a hypothesis strategy that damages valid files (needs
  hypothesis, so it is not imported here).
"""

from lactlog.testing.fitactivity import (
    AthleteSettings,
    DeviceSpec,
    LapSpec,
    LengthSpec,
    fit_resolution,
    time_in_zones,
    write_activity,
)
from lactlog.testing.fitprofile import ProfileEncoder, enum_value, profile_field
from lactlog.testing.fitwriter import (
    BASE_TYPE_IDS,
    DeveloperFieldDefinition,
    FieldDefinition,
    FitWriter,
    degrees_to_semicircles,
    to_fit_time,
)
from lactlog.testing.tcxwriter import write_tcx

__all__ = [
    "BASE_TYPE_IDS",
    "AthleteSettings",
    "DeveloperFieldDefinition",
    "DeviceSpec",
    "FieldDefinition",
    "FitWriter",
    "LapSpec",
    "LengthSpec",
    "ProfileEncoder",
    "degrees_to_semicircles",
    "enum_value",
    "fit_resolution",
    "profile_field",
    "time_in_zones",
    "to_fit_time",
    "write_activity",
    "write_tcx",
]
