"""A small Stripe-compatible HTTP server for the endpoints FitFlow calls, driven only through the
real `stripe` SDK (STRIPE_API_BASE points the SDK here).

It speaks Stripe's shapes: form-encoded bodies with bracketed keys (`metadata[order_id]=7`,
`line_items[0][price_data][unit_amount]=22600`), JSON objects with `object` and prefixed ids,
list objects, `{"error": {...}}` answers, and `Idempotency-Key` (the same key and parameters
replay the first answer; different parameters are an idempotency_error). Every request is
recorded; `drop_answers` makes the next N answers to a path get lost after the work is done,
as a network fault between Stripe and us would.

It also plays Stripe's side of a payment (`complete`, `renew`, `refund_in_dashboard`) and builds
the matching event objects for signed webhook deliveries.
"""

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import stripe

from tests.factories import StudioFactory

API_VERSION = "2026-10-28.endive"
MONTH = 30 * 24 * 3600


def parse_form(text: str) -> dict:
    """`a[b][0][c]=v&...` as Stripe reads it: nested dicts, lists for numeric indexes."""
    root: dict = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v) for k, v in node.items()}
    if node and all(k.isdecimal() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


class StripeError(Exception):
    def __init__(self, status: int, kind: str, message: str, code: str | None = None):
        super().__init__(message)
        self.status, self.body = status, {"error": {"type": kind, "message": message, "code": code}}


class FakeStripe:
    def __init__(self):
        self.requests: list[dict] = []
        self.objects: dict[str, dict] = {}  # every object by id
        self.created: dict[str, list[dict]] = {}  # objects made through the API, by `object`
        self.intents: dict[str, dict] = {}  # payment intent id -> {"amount", "charge", "refunded"}
        self._replies: dict[str, tuple[dict, int, dict]] = {}
        self._drops: dict[tuple[str, str], int] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.clock = int(time.time())
        self.page_size = 100  # the most a list answers per page (Stripe's own cap)

    # --- server ------------------------------------------------------------------------------

    def start(self) -> "FakeStripe":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def drop_answers(self, method: str, path: str, times: int) -> None:
        """Do the next `times` requests to `path`, then close the connection unanswered."""
        self._drops[(method, path)] = times

    def calls(self, method: str, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == method and r["path"] == path]

    def _handle(self, handler, method: str) -> None:
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        params = parse_form(body if method == "POST" else url.query)
        key = handler.headers.get("Idempotency-Key")
        with self._lock:
            self.requests.append({"method": method, "path": url.path, "params": params,
                                  "idempotency_key": key,
                                  "authorization": handler.headers.get("Authorization")})
            if not (handler.headers.get("Authorization") or "").startswith("Bearer sk_test_"):
                status, reply = 401, StripeError(401, "invalid_request_error",
                                                 "Invalid API Key").body
            elif method == "POST" and key and key in self._replies:
                first, status, reply = self._replies[key]
                if first != params:
                    status, reply = 400, StripeError(
                        400, "idempotency_error", "Keys for idempotent requests can only be used "
                        "with the same parameters they were first used with.").body
            else:
                try:
                    status, reply = 200, public(self._route(method, url.path, params))
                except StripeError as exc:
                    status, reply = exc.status, exc.body
                if method == "POST" and key:
                    self._replies[key] = (params, status, reply)
            drops = self._drops.get((method, url.path), 0)
            if drops:
                self._drops[(method, url.path)] = drops - 1
        if drops:
            handler.close_connection = True  # the work is done; the answer is lost
            return
        data = json.dumps(reply).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Request-Id", f"req_{next(self._ids)}")
        handler.end_headers()
        handler.wfile.write(data)

    # --- API ---------------------------------------------------------------------------------

    def _new(self, prefix: str, obj: dict, *, via_api: bool = True) -> dict:
        obj = {"id": f"{prefix}_{next(self._ids):06d}", "created": self.clock, "livemode": False,
               **obj}
        self.objects[obj["id"]] = obj
        if via_api:
            self.created.setdefault(obj["object"], []).append(obj)
        return obj

    def _get(self, object_id: str, kind: str) -> dict:
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise StripeError(404, "invalid_request_error", f"No such {kind}: '{object_id}'",
                              "resource_missing")
        return obj

    def _route(self, method: str, path: str, p: dict) -> dict:
        parts = path.strip("/").split("/")
        if (method, parts[:2]) == ("POST", ["v1", "customers"]) and len(parts) == 2:
            return self._new("cus", {"object": "customer", "email": p.get("email"),
                                     "name": p.get("name"), "metadata": p.get("metadata", {})})
        if parts[:3] == ["v1", "checkout", "sessions"]:
            if method == "POST" and len(parts) == 3:
                return self._create_session(p)
            if method == "GET" and len(parts) == 4:
                return self._get(parts[3], "checkout.session")
        if parts[:2] == ["v1", "refunds"] and len(parts) == 2:
            if method == "POST":
                return self._create_refund(p)
            if "charge" not in p:
                return self._list("/v1/refunds", [r for r in self.objects.values()
                                                  if r["object"] == "refund"], p)
            found = [r for r in self.objects.values()
                     if r["object"] == "refund" and r["charge"] == p.get("charge")]
            return {"object": "list", "url": "/v1/refunds", "has_more": False, "data": found}
        if (method, parts) == ("GET", ["v1", "charges"]):
            return self._list("/v1/charges", [self.charge(i, with_refunds=False)
                                              for i in self.intents], p)
        if (method, parts[:2]) == ("GET", ["v1", "invoice_payments"]):
            found = [i for i in self.objects.values() if i["object"] == "invoice_payment"
                     and i["invoice"] == p.get("invoice")]
            return {"object": "list", "url": "/v1/invoice_payments", "has_more": False,
                    "data": found}
        if parts[:2] == ["v1", "subscriptions"] and len(parts) == 3:
            sub = self._get(parts[2], "subscription")
            if method == "POST" and "cancel_at_period_end" in p:
                sub["cancel_at_period_end"] = p["cancel_at_period_end"] == "true"
            if method == "POST" and "pause_collection" in p:  # "" resumes billing
                sub["pause_collection"] = p["pause_collection"] or None
            return sub
        raise StripeError(404, "invalid_request_error", f"Unrecognized request URL ({path})")

    def _list(self, url: str, items: list[dict], p: dict) -> dict:
        """A page of a list endpoint as Stripe answers it: newest first, `created[gte]` and the
        like filtered, `limit` (at most `page_size`) after `starting_after`."""
        bounds = p.get("created") or {}
        ops = {"gte": int.__ge__, "gt": int.__gt__, "lte": int.__le__, "lt": int.__lt__}
        items = [i for i in items
                 if all(ops[op](i["created"], int(v)) for op, v in bounds.items())]
        items.sort(key=lambda i: (i["created"], i["id"]), reverse=True)
        if p.get("starting_after"):
            ids = [i["id"] for i in items]
            items = items[ids.index(p["starting_after"]) + 1:]
        limit = min(int(p.get("limit", 10)), self.page_size)
        return {"object": "list", "url": url, "has_more": len(items) > limit,
                "data": items[:limit]}

    def _create_session(self, p: dict) -> dict:
        line = p["line_items"][0]
        amount = int(line["price_data"]["unit_amount"]) * int(line.get("quantity", 1))
        if p["mode"] not in ("payment", "subscription"):
            raise StripeError(400, "invalid_request_error", "Invalid mode", "parameter_invalid")
        session = self._new("cs_test", {
            "object": "checkout.session", "mode": p["mode"], "status": "open",
            "payment_status": "unpaid", "amount_total": amount,
            "currency": line["price_data"]["currency"], "customer": p.get("customer"),
            "customer_email": p.get("customer_email"),
            "client_reference_id": p.get("client_reference_id"),
            "metadata": p.get("metadata", {}), "success_url": p["success_url"],
            "cancel_url": p["cancel_url"], "payment_intent": None, "subscription": None,
            "invoice": None})
        session["url"] = f"https://checkout.stripe.test/c/pay/{session['id']}"
        session["_params"] = p  # kept for the tests (Stripe keeps them too, in its own way)
        return session

    def _create_refund(self, p: dict) -> dict:
        intent = self.intents.get(p.get("payment_intent", ""))
        if intent is None:
            raise StripeError(404, "invalid_request_error",
                              f"No such payment_intent: '{p.get('payment_intent')}'",
                              "resource_missing")
        amount = int(p.get("amount") or intent["amount"] - intent["refunded"])
        if amount > intent["amount"] - intent["refunded"]:
            raise StripeError(400, "invalid_request_error", "Refund amount is greater than "
                              "unrefunded amount on charge", "amount_too_large")
        return self._refund(intent, amount, p.get("metadata", {}), via_api=True)

    def _refund(self, intent: dict, amount: int, metadata: dict, *, via_api: bool) -> dict:
        intent["refunded"] += amount
        return self._new("re", {"object": "refund", "amount": amount,
                                "currency": intent["currency"], "charge": intent["charge"],
                                "payment_intent": intent["id"], "status": "succeeded",
                                "reason": None if via_api else "requested_by_customer",
                                "metadata": metadata}, via_api=via_api)

    # --- Stripe's side of a payment, and the event objects it sends -----------------------------

    def _intent(self, amount: int, currency: str, metadata: dict) -> str:
        charge = self._new("ch", {"object": "charge", "amount": amount}, via_api=False)
        intent = self._new("pi", {"object": "payment_intent", "amount": amount,
                                  "currency": currency, "metadata": metadata}, via_api=False)
        self.intents[intent["id"]] = {"id": intent["id"], "amount": amount, "currency": currency,
                                      "charge": charge["id"], "refunded": 0}
        return intent["id"]

    def complete(self, session_id: str) -> dict:
        """The customer paid on the Checkout page: the session as its completion event has it
        (for a subscription: the subscription and its first paid invoice exist too)."""
        s = self.objects[session_id]
        s.update(status="complete", payment_status="paid")
        if s["mode"] == "payment":
            s["payment_intent"] = self._intent(s["amount_total"], s["currency"], s["metadata"])
        else:
            params = s["_params"]
            sub = self._new("sub", {
                "object": "subscription", "status": "active", "customer": s["customer"],
                "cancel_at_period_end": False, "cancel_at": None, "start_date": self.clock,
                "metadata": params["subscription_data"]["metadata"],
                "items": {"object": "list", "data": [{
                    "object": "subscription_item", "current_period_start": self.clock,
                    "current_period_end": self.clock + MONTH,
                    "price": {"unit_amount": s["amount_total"], "currency": s["currency"],
                              "recurring": params["line_items"][0]["price_data"]["recurring"]},
                }]}}, via_api=False)
            s["subscription"] = sub["id"]
            s["invoice"] = self._invoice(sub, "subscription_create")["id"]
        return public(s)

    def _invoice(self, sub: dict, reason: str) -> dict:
        item = sub["items"]["data"][0]
        amount = item["price"]["unit_amount"]
        invoice = self._new("in", {
            "object": "invoice", "status": "paid", "billing_reason": reason,
            "customer": sub["customer"], "amount_paid": amount,
            "currency": item["price"]["currency"],
            "parent": {"type": "subscription_details", "subscription_details": {
                "subscription": sub["id"], "metadata": dict(sub["metadata"])}},
            "lines": {"object": "list", "data": [{"object": "line_item", "amount": amount,
                                                  "period": {"start": item["current_period_start"],
                                                             "end": item["current_period_end"]}}]}},
            via_api=False)
        intent = self._intent(amount, invoice["currency"], {})
        self._new("inpay", {"object": "invoice_payment", "invoice": invoice["id"],
                            "status": "paid", "amount_paid": amount,
                            "payment": {"type": "payment_intent", "payment_intent": intent}},
                  via_api=False)
        return invoice

    def renew(self, subscription_id: str) -> dict:
        """The subscription's next period is billed and paid: the new invoice."""
        sub = self.objects[subscription_id]
        item = sub["items"]["data"][0]
        item["current_period_start"] = item["current_period_end"]
        item["current_period_end"] += MONTH
        return self._invoice(sub, "subscription_cycle")

    def subscription(self, subscription_id: str, **changes) -> dict:
        """The subscription as an event would carry it now (after `changes`)."""
        self.objects[subscription_id].update(changes)
        return public(self.objects[subscription_id])

    def invoice(self, invoice_id: str, *, with_payments: bool = False) -> dict:
        """An invoice as its event carries it (payments only when `with_payments`: Stripe's
        payloads leave them out, so FitFlow asks for them)."""
        invoice = public(self.objects[invoice_id])
        if with_payments:
            invoice["payments"] = {"object": "list", "data": [
                public(i) for i in self.objects.values()
                if i["object"] == "invoice_payment" and i["invoice"] == invoice_id]}
        return invoice

    def intent_of(self, invoice_id: str) -> str:
        return next(i["payment"]["payment_intent"] for i in self.objects.values()
                    if i["object"] == "invoice_payment" and i["invoice"] == invoice_id)

    def refund_in_dashboard(self, intent_id: str, amount: int) -> dict:
        """Someone refunds in Stripe's dashboard (no idempotency key of ours)."""
        return public(self._refund(self.intents[intent_id], amount, {}, via_api=False))

    def charge(self, intent_id: str, *, with_refunds: bool = True) -> dict:
        """The charge of a payment intent, as charge.refunded carries it."""
        intent = self.intents[intent_id]
        refunds = [public(r) for r in self.objects.values()
                   if r["object"] == "refund" and r["payment_intent"] == intent_id]
        charge = {"id": intent["charge"], "object": "charge", "amount": intent["amount"],
                  "amount_refunded": intent["refunded"], "currency": intent["currency"],
                  "payment_intent": intent_id, "refunded": intent["refunded"] == intent["amount"],
                  "status": "succeeded", "paid": True, "metadata": {},
                  "created": self.objects[intent["charge"]]["created"]}
        if with_refunds:
            charge["refunds"] = {"object": "list", "has_more": False, "data": refunds}
        return charge

    def event(self, type_: str, obj: dict, *, created: int | None = None) -> dict:
        """A Stripe event around `obj` (a fresh id: Stripe's duplicates reuse one event)."""
        return {"id": f"evt_{next(self._ids):08d}", "object": "event", "api_version": API_VERSION,
                "created": created if created is not None else self.clock, "type": type_,
                "livemode": False, "pending_webhooks": 1, "data": {"object": obj},
                "request": {"id": None, "idempotency_key": None}}


def public(obj: dict) -> dict:
    """A copy without the fake's own bookkeeping keys."""
    return json.loads(json.dumps({k: v for k, v in obj.items() if not k.startswith("_")}))


def signed(event: dict, secret: str, *, timestamp: int | None = None) -> tuple[str, dict]:
    """The body and headers of a delivery, signed the way Stripe signs it."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret,
                                                               timestamp=timestamp)
    return payload, {"Stripe-Signature": header, "Content-Type": "application/json"}


def card_studio(slug_secret: str = "tor", **fields):
    studio = StudioFactory(prices_include_tax=False, invoice_prefix=slug_secret.upper()[:3],
                           stripe_secret_key=f"sk_test_{slug_secret}",
                           stripe_webhook_secret=f"whsec_{slug_secret}",
                           booking_requires_pass=True, **fields)
    studio.default_location.tax_jurisdiction = "CA-ON"
    return studio
