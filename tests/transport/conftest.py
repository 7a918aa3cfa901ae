from .helpers import accepting_305  # noqa: F401 - fixture
