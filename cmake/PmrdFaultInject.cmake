# SPDX-License-Identifier: BSD-3-Clause
# PmrdFaultInject.cmake -- pmrd_fault_inject(TARGET GROUP...): link TARGET
# with common/fault/wrap_GROUP.c and -Wl,--wrap=<fn> for each function of
# each GROUP, so the N-th call (PMR_FAULT_N) fails (common/fault/).

set(PMR_FAULT_DIR ${CMAKE_CURRENT_LIST_DIR}/../common/fault)
set(PMR_FAULT_alloc malloc calloc realloc reallocarray aligned_alloc
	posix_memalign strdup strndup)
set(PMR_FAULT_verbs ibv_alloc_pd ibv_create_comp_channel ibv_create_cq
	ibv_reg_mr ibv_reg_mr_iova2 ibv_query_device ibv_query_port
	ibv_modify_qp ibv_qp_to_qp_ex)
set(PMR_FAULT_rdmacm rdma_create_event_channel rdma_create_id rdma_bind_addr
	rdma_listen rdma_resolve_addr rdma_resolve_route rdma_create_qp
	rdma_create_qp_ex rdma_connect rdma_accept rdma_reject rdma_disconnect
	rdma_getaddrinfo)
set(PMR_FAULT_pmem2 pmem2_config_new pmem2_config_set_protection
	pmem2_config_set_required_store_granularity pmem2_config_set_sharing
	pmem2_source_from_fd pmem2_source_size pmem2_map_new)
set(PMR_FAULT_crypto RAND_bytes HMAC getrandom)
set(PMR_FAULT_file open read stat lstat fstat fstatfs statx fgetxattr
	fsetxattr fallocate ftruncate fsync pwritev mmap ioctl mkdir chmod
	chown unlink)
set(PMR_FAULT_net socket bind listen getaddrinfo)

# pmrd_fault_inject -- TARGET counts and fails the calls of GROUPs
function(pmrd_fault_inject target)
	target_sources(${target} PRIVATE ${PMR_FAULT_DIR}/fault_inject.c)
	target_include_directories(${target} PRIVATE ${PMR_FAULT_DIR})
	foreach(g ${ARGN})
		if(NOT DEFINED PMR_FAULT_${g})
			message(FATAL_ERROR "pmrd_fault_inject: no group ${g}")
		endif()
		target_sources(${target} PRIVATE ${PMR_FAULT_DIR}/wrap_${g}.c)
		foreach(fn ${PMR_FAULT_${g}})
			target_link_options(${target} PRIVATE
				"LINKER:--wrap=${fn}")
		endforeach()
	endforeach()
endfunction()
