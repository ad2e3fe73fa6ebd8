# syntax=docker/dockerfile:1
#
# driftguard's container image: the static musl binary of a release on an
# empty base image. Nothing else is in it: no shell, no package manager, no
# CA bundle (the TLS roots are built into the binary).
#
# The release workflow (.github/workflows/release.yml) builds it for
# linux/amd64 and linux/arm64 from a context that ci/image-context.sh makes out
# of the release archives, after checking them against SHA256SUMS:
#
#   CONTEXT/linux/amd64/driftguard   from driftguard-TAG-x86_64-unknown-linux-musl.tar.gz
#   CONTEXT/linux/arm64/driftguard   from driftguard-TAG-aarch64-unknown-linux-musl.tar.gz
#
# so the image holds exactly the binaries the release publishes. Nothing runs
# at build time (no RUN), so building for another architecture needs no
# emulator.
FROM scratch

ARG TARGETPLATFORM
COPY --chmod=0555 ${TARGETPLATFORM}/driftguard /usr/local/bin/driftguard

LABEL org.opencontainers.image.title="driftguard" \
      org.opencontainers.image.description="Guards relational databases against schema drift in CI" \
      org.opencontainers.image.source="https://github.com/driftguard-cli/driftguard" \
      org.opencontainers.image.documentation="https://driftguard-cli.github.io/driftguard/" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"

# Not root: any numeric user works, as there is no /etc/passwd. Run with
# --user "$(id -u):$(id -g)" to write snapshots into a mounted directory.
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/driftguard"]
CMD ["--help"]
