#!/usr/bin/env bash
# Every fix proved exhaustively under armv8 (arm64 hardware, the kernel's primitives as
# arch/arm64 compiles them): scripts/lkmm-proofs.sh with MODEL=armv8. The table in README
# "Every fix proved under `armv8`". usage: scripts/armv8-proofs.sh [JOBS [MAX_EXECUTIONS]]
exec env MODEL=armv8 "$(dirname "${BASH_SOURCE[0]}")/lkmm-proofs.sh" "$@"
