import math

from hypothesis import given
from hypothesis import strategies as st

from nnkit.core import limits, settings
from nnkit.core.settings import Setting

SCHEMA = (
    Setting("epochs", 40, low=1, high=200, workshop_high=60),
    Setting("lr", 0.03, choices=(0.001, 0.03, 0.3)),
    Setting("noise", 0.2, low=0.0, high=0.5),
    Setting("dataset", "moons", choices=("moons", "circles")),
    Setting("augment", False),
)


def test_round_trip_restores_every_setting_exactly():
    values = {"epochs": 7, "lr": 0.3, "noise": 0.45, "dataset": "circles", "augment": True}
    params = settings.encode(values, SCHEMA)
    assert params == {"epochs": "7", "lr": "0.3", "noise": "0.45", "dataset": "circles", "augment": "true"}
    assert settings.decode(params, SCHEMA) == (values, [])


def test_defaults_stay_out_of_the_link():
    assert settings.encode(settings.defaults(SCHEMA), SCHEMA) == {}


def test_malformed_and_unknown_parameters_are_ignored_with_reasons():
    values, notices = settings.decode({"epochs": "abc", "lr": "0.5", "noise": "nan", "zzz": "1",
                                       "augment": "maybe", "dataset": "../../etc/passwd",
                                       "lock": "epochs"}, SCHEMA)
    assert values == {}
    assert len(notices) == 6
    assert "whole number" in notices[0] and "one of" in notices[1] and "finite" in notices[2]
    assert "unknown setting" in notices[3]


def test_workshop_caps_apply_to_links():
    assert settings.decode({"epochs": "150"}, SCHEMA)[0] == {"epochs": 150}
    values, notices = settings.decode({"epochs": "150"}, SCHEMA, workshop=True)
    assert values == {} and "between 1 and 60" in notices[0]


def test_lock_list_keeps_only_known_names():
    assert settings.name_list({"lock": "epochs, lr,nope"}, "lock", SCHEMA) == {"epochs", "lr"}


@given(st.dictionaries(st.text(max_size=30), st.text(max_size=200), max_size=8))
def test_any_query_string_decodes_to_valid_values_or_notices(params):
    values, notices = settings.decode(params, SCHEMA)
    for name, value in values.items():
        setting = next(s for s in SCHEMA if s.name == name)
        assert type(value) is type(setting.default)
        if isinstance(value, float):
            assert math.isfinite(value)
    assert len(values) + len(notices) == len([k for k in params if k not in settings.RESERVED])
    assert all(len(n) < 200 for n in notices)


def test_workshop_mode_from_env_and_cloud(monkeypatch, tmp_path):
    monkeypatch.setenv(limits.ENV_FLAG, "1")
    assert limits.workshop_mode()
    monkeypatch.setenv(limits.ENV_FLAG, "off")
    assert not limits.workshop_mode()
    monkeypatch.delenv(limits.ENV_FLAG)
    monkeypatch.setattr(limits, "CLOUD_SOURCE_DIR", tmp_path)
    assert limits.workshop_mode()
    monkeypatch.setattr(limits, "CLOUD_SOURCE_DIR", tmp_path / "absent")
    assert not limits.workshop_mode()


def test_workshop_caps_choice_settings_too():
    batch = Setting("units", 64, choices=(16, 64, 256, 1024), workshop_high=256)
    assert batch.options(workshop=False) == (16, 64, 256, 1024)
    assert batch.options(workshop=True) == (16, 64, 256)
    assert batch.parse("1024") == 1024
    values, notices = settings.decode({"units": "1024"}, [batch], workshop=True)
    assert values == {} and "one of 16, 64, 256" in notices[0]


def test_setting_lists_round_trip_and_refuse_unknown_or_too_many():
    compare = settings.SettingList("compare", ["relu"], choices=("relu", "tanh", "sigmoid"), most=2)
    link = settings.encode({"compare": ["tanh", "sigmoid"]}, [compare])
    assert link == {"compare": "tanh,sigmoid"}
    assert settings.decode(link, [compare]) == ({"compare": ["tanh", "sigmoid"]}, [])
    assert compare.parse("['relu', 'tanh']") == ["relu", "tanh"]
    assert "`gelu`" in settings.decode({"compare": "relu,gelu"}, [compare])[1][0]
    assert "at most 2" in settings.decode({"compare": "relu,tanh,sigmoid"}, [compare])[1][0]
