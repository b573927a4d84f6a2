# SPDX-License-Identifier: BSD-3-Clause
# PmrdDeps.cmake -- find pmrd's dependencies (all Debian bookworm packages).
find_package(PkgConfig REQUIRED)
pkg_check_modules(IBVERBS REQUIRED IMPORTED_TARGET libibverbs)
pkg_check_modules(RDMACM REQUIRED IMPORTED_TARGET librdmacm)
pkg_check_modules(PMEM2 REQUIRED IMPORTED_TARGET libpmem2)
pkg_check_modules(INIH REQUIRED IMPORTED_TARGET inih)
pkg_check_modules(JSONC REQUIRED IMPORTED_TARGET json-c)
# HMAC-SHA256 and random nonces for PSK proofs (libssl-dev).
pkg_check_modules(LIBCRYPTO REQUIRED IMPORTED_TARGET libcrypto)
if(PMRD_BUILD_TESTS)
	pkg_check_modules(CRITERION REQUIRED IMPORTED_TARGET criterion)
endif()

# libev ships no pkg-config file on Debian bookworm.
find_path(EV_INCLUDE_DIR ev.h REQUIRED)
find_library(EV_LIBRARY ev REQUIRED)
add_library(pmrd_ev INTERFACE)
target_include_directories(pmrd_ev INTERFACE ${EV_INCLUDE_DIR})
target_link_libraries(pmrd_ev INTERFACE ${EV_LIBRARY})

# Native RDMA FLUSH (ibv_wr_flush, IBV_ACCESS_FLUSH_*) arrived in rdma-core 45;
# bookworm ships 44, trixie 56.  Compile the FLUSH path only where it exists.
include(CheckSymbolExists)
set(CMAKE_REQUIRED_LIBRARIES ${IBVERBS_LINK_LIBRARIES})
set(CMAKE_REQUIRED_INCLUDES ${IBVERBS_INCLUDE_DIRS})
check_symbol_exists(ibv_wr_flush "infiniband/verbs.h" PMRD_HAVE_IBV_FLUSH)
# Native RDMA ATOMIC WRITE (ibv_wr_atomic_write) came with the same release.
check_symbol_exists(ibv_wr_atomic_write "infiniband/verbs.h"
	PMRD_HAVE_IBV_ATOMIC_WRITE)
unset(CMAKE_REQUIRED_LIBRARIES)
unset(CMAKE_REQUIRED_INCLUDES)
if(PMRD_HAVE_IBV_FLUSH)
	add_compile_definitions(PMRD_HAVE_IBV_FLUSH=1)
endif()
message(STATUS "pmrd: native RDMA FLUSH support: ${PMRD_HAVE_IBV_FLUSH}")
if(PMRD_HAVE_IBV_ATOMIC_WRITE)
	add_compile_definitions(PMRD_HAVE_IBV_ATOMIC_WRITE=1)
endif()
message(STATUS
	"pmrd: native RDMA ATOMIC WRITE support: ${PMRD_HAVE_IBV_ATOMIC_WRITE}")
