# The workstream image: one image for every role; the role is the command
# (`serve --role=tasks`, `migrate`, `topology declare`, ...).
#
#   docker build -t workstream .
#   docker run --rm workstream --help
#
# BASE_IMAGE (and BUILD_IMAGE for the build stage) may name a Debian 12 image
# made locally, for a machine without access to an image registry. Nothing is
# fetched at build time but Debian's packages.
ARG BASE_IMAGE=debian:bookworm-slim
ARG BUILD_IMAGE=${BASE_IMAGE}

FROM ${BUILD_IMAGE} AS build
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      g++ cmake ninja-build pkg-config ca-certificates \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
      libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc \
      libpq-dev libhiredis-dev librabbitmq-dev libmongoc-dev libbson-dev libsasl2-dev \
      libcurl4-openssl-dev libfmt-dev libcli11-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt CMakePresets.json ./
COPY cmake cmake
COPY proto proto
COPY include include
COPY src src
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DWORKSTREAM_BUILD_TESTS=OFF -DWORKSTREAM_BUILD_BENCH=OFF \
 && cmake --build /build --target workstream \
 && strip /build/src/workstream \
 && install -D /build/src/workstream /out/usr/local/bin/workstream
# The runtime packages are the ones that own the libraries the binary links,
# so the runtime stage carries exactly those and nothing of the toolchain.
RUN ldd /build/src/workstream | awk '/=> \//{print $3}' \
    | while read -r lib; do dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")"; done \
    | cut -d: -f1 | sort -u >/out/runtime-packages \
 && cat /out/runtime-packages

FROM ${BASE_IMAGE}
COPY --from=build /out/runtime-packages /tmp/runtime-packages
# Like debian:bookworm-slim: no documentation, manuals or translations.
RUN printf '%s\n' 'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright' \
      'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/info/*' 'path-exclude=/usr/share/locale/*' \
      >/etc/dpkg/dpkg.cfg.d/workstream-slim \
 && apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      ca-certificates $(cat /tmp/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/* /var/log/apt /var/log/dpkg.log /tmp/runtime-packages \
 && useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin workstream
COPY --from=build /out/usr/local/bin/workstream /usr/local/bin/workstream
USER 10001:10001
# REST (gateway), gRPC (tasks), admin: /health, /ready, /metrics.
EXPOSE 8080 50051 9090
# Liveness of whatever role runs, at WORKSTREAM_ADMIN_ADDR.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["workstream", "health"]
# workstream itself is PID 1: it handles SIGTERM (drain, exit 0) and starts no children.
ENTRYPOINT ["workstream"]
CMD ["serve", "--role=all"]
