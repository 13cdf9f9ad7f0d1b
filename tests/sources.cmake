# Test sources by module; each module's list lives beside its tests.
include(tests/core/sources.cmake)
include(tests/security/sources.cmake)
include(tests/store/sources.cmake)
include(tests/http/sources.cmake)
include(tests/config/sources.cmake)
include(tests/cli/sources.cmake)
include(tests/content/sources.cmake)
include(tests/support/sources.cmake)
