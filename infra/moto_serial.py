"""moto in server mode, serving one request at a time.

moto's threaded server corrupts its DynamoDB state when transactions run concurrently
("dictionary changed size during iteration"), and a transaction it half-applied would make
tests of our concurrency guarantees fail for reasons that are the emulator's, not ours.
Served one at a time, moto behaves as DynamoDB does for one item: serially. The clients'
concurrency is unchanged. Started by infra/test.sh.

    python infra/moto_serial.py PORT
"""

import os
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import MotoRequestHandler
from werkzeug.serving import run_simple


def main() -> None:
    port = int(sys.argv[1])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple("127.0.0.1", port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
