"""A large demo fill on two processors: a forked worker generates the consultations, the fill
writes them and makes what follows from them.

From ``WORKER_FROM`` cases on, where ``fork`` exists (Linux; not Windows, whose desktops run
small demos in-process, nor PostgreSQL), the fill forks a worker that runs the consultation
generator with the same random state. For each batch it sends through a pipe: the rows of each
insert already as the DB-API takes them (converted by the columns' own types and completed with
their constant defaults, ``common.bulk_insert``), the search index tokens of each consultation
(built from cached pieces, ``tokens``), and the cases to refer as plain tuples
(``ShippedReferred``). The fill, in its one transaction, writes the rows, indexes the tokens
(``store.search.index_grams``), builds and writes the referrals of the batch with their own
generator, and reviews the batch as a supervisor would (``fill._in_worker``), while the worker
generates the next one: the two processors share the work, and little is left once the worker
ends (the destination consents, the sign-offs, the statistics summary, the commit). The rows
are byte for byte those the in-process fill writes (``tests/services/test_demo.py`` runs a
pinned seed both ways). The worker never touches the database: it inherits the parent's
connection but does not use it, and it ends with ``os._exit`` (multiprocessing's own exit for
a forked child), so nothing of it is closed or finalised there. A failure on either side rolls
the whole fill back.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from setacare_desktop.services.demo.common import Phases, Shipment, next_id, write_shipped
from setacare_desktop.services.demo.consultations import Case
from setacare_desktop.services.demo.people import DemoPerson
from setacare_desktop.services.errors import ServiceError
from setacare_desktop.store import search as search_store

R = TypeVar("R")
#: (table name, column names, the rows' values as shipped)
RowsHook = Callable[[str, tuple[str, ...], list[tuple[Any, ...]]], None]
_log = logging.getLogger(__name__)

#: A fill of this many consultations or more forks a worker to generate them.
WORKER_FROM = 100_000


def available(cases: int, session: Session) -> bool:
    """Whether a fill of ``cases`` into this session's database uses a worker."""
    return (cases >= WORKER_FROM and session.get_bind().dialect.name == "sqlite"
            and sys.platform.startswith("linux")
            and "fork" in multiprocessing.get_all_start_methods())


#: Messages the worker may have pickled ahead of the fill (about four batches).
OUTBOX = 32


def _work(job: Callable[[Shipment], Any], send: Connection, shipment: Shipment) -> None:
    """Run ``job`` in the worker. A thread of its own writes the pickled messages to the pipe,
    so that the generator goes on while the fill is busy with what was sent before (a pipe
    holds 64 KiB: written directly, each message would wait for the fill to take the one
    before it). If the fill stops reading, the fill ends this process."""
    outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=OUTBOX)

    def post() -> None:
        while (data := outbox.get()) is not None:
            send.send_bytes(data)

    poster = threading.Thread(target=post, daemon=True)
    poster.start()
    shipment.send = lambda message: outbox.put(ForkingPickler.dumps(message))
    try:
        result = ("done", job(shipment))
    except BaseException:  # whatever it was, the parent rolls back and says so
        result = ("error", traceback.format_exc())
    try:
        outbox.put(ForkingPickler.dumps(result))
        outbox.put(None)
        poster.join()
    finally:
        send.close()


def pipelined(session: Session, tables: list[Any], job: Callable[[Shipment], R],
              phases: Phases, *, on_rows: RowsHook | None = None,
              on_referred: Callable[[list[Any]], None] | None = None) -> R:
    """Run ``job`` in a forked worker with a :class:`Shipment` giving ids of ``tables``; write
    what it ships in ``session`` (time counted as ``insert``), index the search texts it ships
    (``store.search.index_many``, counted as ``index``), and return what the job returns.
    A failure of the worker raises :class:`ServiceError` here (the worker's traceback goes to
    the log), so the fill's transaction rolls back. ``on_rows`` sees each insert's rows once
    written (table name, column names, the values as written), ``on_referred`` each batch of cases
    to refer (``ShippedReferred``)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    dialect = session.get_bind().dialect
    shipment = Shipment(send.send, dialect, {t.name: next_id(session, t) for t in tables})
    worker = context.Process(target=_work, args=(job, send, shipment), daemon=True)
    session.connection()  # the transaction is open before the worker is forked
    worker.start()
    send.close()  # the worker holds the sending end now
    try:
        while True:
            try:
                message = receive.recv()
            except EOFError as error:
                raise ServiceError("デモデータの作成処理が途中で終了しました。") from error
            if message[0] == "rows":
                with phases("insert"):
                    write_shipped(session, *message[1:])
                if on_rows is not None:
                    on_rows(*message[1:])
            elif message[0] == "referred":
                if on_referred is not None:
                    on_referred(message[1])
            elif message[0] == "grams":
                with phases("index"):
                    search_store.index_grams(session, message[1])
            elif message[0] == "done":
                return message[1]  # type: ignore[no-any-return]
            else:
                _log.error("demo worker failed:\n%s", message[1])
                raise ServiceError("デモデータの作成処理が失敗しました（詳細はログにあります）。")
    except BaseException:
        worker.terminate()  # the fill failed: what the worker still makes is of no use
        raise
    finally:
        receive.close()
        worker.join(timeout=5)
        if worker.is_alive():
            worker.terminate()
            worker.join()


class ShippedReferred:
    """The cases to refer, sent to the fill as they are written, as plain tuples of what the
    referrals read of them (``referrals.Referrals``); :meth:`cases` makes them cases again."""

    def __init__(self, shipment: Shipment) -> None:
        self.shipment = shipment

    def extend(self, cases: Iterable[tuple[int, Case]], /) -> None:
        self.shipment.send(("referred", [
            (cid, case.row, case.groups, case.elements,
             None if case.person is None else case.person.id,
             case.person is not None and case.person.child,
             case.detail["urgency"], case.detail["consulter_relation"])
            for cid, case in cases]))

    @staticmethod
    def cases(shipped: list[Any]) -> list[tuple[int, Case]]:
        return [(cid, Case(row, groups, elements, None if person_id is None else DemoPerson(
            None, "", None, None, "", child=child, id=person_id),
            {"urgency": urgency, "consulter_relation": relation}, [], "", "", True))
            for cid, row, groups, elements, person_id, child, urgency, relation in shipped]
