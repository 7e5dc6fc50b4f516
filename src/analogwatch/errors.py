"""The small exception hierarchy of analogwatch: every error a user can cause derives from AnalogwatchError."""


class AnalogwatchError(Exception):
    """Base class of every analogwatch error."""


class InputError(AnalogwatchError):
    """A query or a record that cannot be understood (bad SMILES, unknown name, empty input...)."""


class StructureError(InputError):
    """A structure that parses but cannot be used (too large, no atoms, fails sanitisation)."""


class RegistryError(AnalogwatchError):
    """The registry's data files are inconsistent or malformed."""


class RuleError(AnalogwatchError):
    """A class-definition file is malformed; the message names the file and the rule."""


class ServiceError(AnalogwatchError):
    """A request to the intelligence service cannot be carried out."""
