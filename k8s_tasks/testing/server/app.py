"""The aiohttp application: routes every Kubernetes REST path to the Store."""

from pathlib import Path
from typing import Any

from aiohttp import web

from .. import fieldlabels
from ..audit import AuditLog
from ..auth.authn import Authenticator
from ..auth.tokens import TokenIssuer
from ..errors import ApiError, BadRequest, MethodNotAllowed, NotFound
from ..ssa import apply as ssa_apply
from ..store import Store
from . import discovery, openapi
from .bodies import check_accept, read_body, read_delete_options, read_patch
from .faults import Faults
from .filters import Authorizer, install
from .http import error_response, flag, int_param, respond, wants
from .logs import serve_log
from .managers import APPLY, check_patch_options, writer
from .paging import page
from .reviews import Reviews, RulesLister
from .subresources import deletion_answer, post_subresource, serve_scale
from .tables import partial_metadata, table
from .targets import Target, parse_target, verb_of
from .tokenrequest import serve_token_request
from .watching import serve_watch

STORE_KEY = web.AppKey("store", Store)
FAULTS_KEY = web.AppKey("faults", Faults)


class Api:
    def __init__(
        self,
        store: Store,
        faults: Faults,
        log_root: Path | None,
        bookmark_seconds: float,
        reviews: Reviews,
        issuer: TokenIssuer | None,
    ) -> None:
        self.store, self.faults, self.log_root = store, faults, log_root
        self.bookmark_seconds = bookmark_seconds
        self.reviews, self.issuer = reviews, issuer

    async def handle(self, request: web.Request) -> web.StreamResponse:
        info = request.match_info
        try:
            target = parse_target(self.store, info.get("group", ""), info["version"], info["tail"])
            verb = verb_of(request, target)
            check_accept(request)
            if self.faults.faults:
                await self.faults.check(verb, target.rt.plural)
            return await self._dispatch(request, target, verb)
        except ApiError as error:
            return error_response(error)

    async def _dispatch(self, request: web.Request, t: Target, verb: str) -> web.StreamResponse:
        store, rt = self.store, t.rt
        validation = request.query.get("fieldValidation") or "Warn"
        if rt.verbs:
            if verb not in rt.verbs or t.name is not None:
                raise MethodNotAllowed("the server does not allow this method on the requested resource")
            return await self.reviews.serve(request, t)
        if t.sub == "token" and verb == "create" and self.issuer is not None:
            return await serve_token_request(request, store, t, self.issuer)
        if t.sub == "scale":
            return await serve_scale(request, store, t, verb)
        if verb == "watch":
            return await serve_watch(request, store, self.faults, rt, t.namespace, self.bookmark_seconds)
        if verb == "list":
            return self._list(request, t)
        if verb == "create":
            if t.name is not None:
                return await post_subresource(request, store, t)
            body = await read_body(request, rt)
            if flag(request, "dryRun") or request.query.get("dryRun") == "All":
                return respond(body, 201)
            created = store.create(
                rt, body, t.namespace, field_validation=validation, copy=False, manager=writer(request, t)
            )
            return respond(created, 201)
        if verb == "deletecollection":
            options = await read_delete_options(request)
            items = store.delete_collection(
                rt,
                t.namespace,
                label_selector=request.query.get("labelSelector"),
                field_selector=fieldlabels.check(rt, request.query.get("fieldSelector")),
                **options,
            )
            return respond(
                {
                    "kind": rt.list_kind,
                    "apiVersion": rt.api_version,
                    "metadata": {"resourceVersion": store.resource_version},
                    "items": items,
                }
            )
        assert t.name is not None
        if verb == "get":
            if t.sub == "log":
                return await serve_log(request, store, self.log_root, t.namespace or "", t.name)
            obj = store.get(rt, t.namespace, t.name, copy=False)
            if wants(request, "Table"):
                return respond(table(rt, [obj], store.resource_version, request.query.get("includeObject")))
            if wants(request, "PartialObjectMetadata"):
                return respond(partial_metadata(obj))
            return respond(obj)
        if verb == "update":
            body = await read_body(request, rt)
            if not isinstance(body, dict):
                raise BadRequest("the body of a PUT must be an object")
            body.setdefault("metadata", {})
            if body["metadata"].get("name") not in (None, t.name):
                raise BadRequest(
                    f"the name of the object ({body['metadata']['name']}) does not match the name "
                    f"on the URL ({t.name})"
                )
            body["metadata"]["name"] = t.name
            if t.namespace:
                body["metadata"]["namespace"] = t.namespace
            return respond(
                store.replace(rt, body, subresource=t.sub, field_validation=validation, copy=False)
            )
        if verb == "patch":
            patch_type, body = await read_patch(request, rt)
            check_patch_options(request, patch_type == "apply")
            if patch_type == "apply":
                return self._apply(request, t, body, validation)
            patched = store.patch(
                rt,
                t.namespace,
                t.name,
                body,
                patch_type,
                subresource=t.sub,
                field_validation=validation,
                copy=False,
                manager=writer(request, t),
            )
            return respond(patched)
        if verb == "delete":
            options = await read_delete_options(request)
            result = store.delete(rt, t.namespace, t.name, **options)
            return respond(deletion_answer(rt, result, store.stored_or_none(rt, t.namespace, t.name) is None))
        raise MethodNotAllowed(f"{request.method} is not supported on {request.path}")

    def _apply(self, request: web.Request, t: Target, body: Any, validation: str) -> web.Response:
        """Server-side apply (ssa.apply): created if absent, else merged with field ownership; 409 on
        conflicts with other managers unless ``force=true``."""
        assert t.name is not None
        if not isinstance(body, dict):
            raise BadRequest("an apply patch must be an object (a full manifest)")
        meta = body.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise BadRequest("the apply patch's metadata must be an object")
        meta["name"] = t.name
        meta.pop("resourceVersion", None)
        manager = writer(request, t, APPLY)
        force = flag(request, "force")
        live = self.store.stored_or_none(t.rt, t.namespace, t.name)
        if live is None:
            if t.sub is not None:
                raise NotFound(f'{t.rt.plural} "{t.name}" not found')
            new = ssa_apply(t.rt, None, body, manager, force)
            fields = new["metadata"].pop("managedFields")
            created = self.store.create(
                t.rt, new, t.namespace, field_validation=validation, copy=False, managed_fields=fields
            )
            return respond(created, 201)
        new = ssa_apply(t.rt, live, body, manager, force)
        new["metadata"].pop("resourceVersion", None)
        fields = new["metadata"].pop("managedFields")
        replaced = self.store.replace(
            t.rt, new, subresource=t.sub, field_validation=validation, copy=False, managed_fields=fields
        )
        return respond(replaced)

    def _list(self, request: web.Request, t: Target) -> web.Response:
        rt = t.rt
        items, rv = self.store.list(
            rt,
            t.namespace,
            label_selector=request.query.get("labelSelector"),
            field_selector=fieldlabels.check(rt, request.query.get("fieldSelector")),
            copy=False,
        )
        items, meta = page(items, int_param(request, "limit"), request.query.get("continue"), rv)
        if wants(request, "Table"):
            result = table(rt, items, rv, request.query.get("includeObject"))
            result["metadata"] = meta
            return respond(result)
        if wants(request, "PartialObjectMetadataList"):
            kind, api_version = "PartialObjectMetadataList", "meta.k8s.io/v1"
            items = [partial_metadata(o) for o in items]
        else:
            kind, api_version = rt.list_kind, rt.api_version
        return respond({"kind": kind, "apiVersion": api_version, "metadata": meta, "items": items})


def make_app(
    store: Store,
    faults: Faults | None = None,
    *,
    log_root: Path | None = None,
    bookmark_seconds: float = 2.0,
    authenticator: Authenticator | None = None,
    authorize: Authorizer | None = None,
    audit: AuditLog | None = None,
    issuer: TokenIssuer | None = None,
    rules: RulesLister | None = None,
) -> web.Application:
    """The API server. Without an authenticator every request is the anonymous user, unchecked."""
    faults = faults or Faults()
    authenticator = authenticator or Authenticator("")
    reviews = Reviews(authenticator, authorize, rules)
    api = Api(store, faults, log_root, bookmark_seconds, reviews, issuer)
    app = web.Application(client_max_size=64 * 1024 * 1024)
    install(app, authenticator, authorize, audit if audit is not None else AuditLog())
    app[STORE_KEY], app[FAULTS_KEY] = store, faults

    async def version(_: web.Request) -> web.Response:
        return respond(discovery.version())

    async def core(request: web.Request) -> web.Response:
        return respond(discovery.api_versions(request.host))

    async def core_v1(_: web.Request) -> web.Response:
        return respond(discovery.resource_list("", "v1", store.resource_types()))

    async def groups(_: web.Request) -> web.Response:
        return respond(discovery.api_groups(store.resource_types()))

    async def group_version(request: web.Request) -> web.Response:
        group, version = request.match_info["group"], request.match_info["version"]
        found = discovery.resource_list(group, version, store.resource_types())
        if not found["resources"]:
            return error_response(
                NotFound(f"the server could not find the requested resource ({group}/{version})")
            )
        return respond(found)

    async def group(request: web.Request) -> web.Response:
        name = request.match_info["group"]
        for entry in discovery.api_groups(store.resource_types())["groups"]:
            if entry["name"] == name:
                return respond({"kind": "APIGroup", "apiVersion": "v1", **entry})
        return error_response(NotFound(f"the server could not find the requested resource ({name})"))

    async def openapi_root(_: web.Request) -> web.Response:
        return respond(openapi.root(store.resource_types()))

    async def openapi_gv(request: web.Request) -> web.Response:
        tail = request.match_info["tail"].split("/")
        group, version = (tail[1], tail[2]) if tail[0] == "apis" and len(tail) == 3 else ("", tail[-1])
        return respond(openapi.document(group, version, store.resource_types()))

    async def health(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/version", version)
    app.router.add_get("/api", core)
    app.router.add_get("/api/v1", core_v1)
    app.router.add_get("/apis", groups)
    app.router.add_get("/apis/{group}", group)
    app.router.add_get("/apis/{group}/{version}", group_version)
    app.router.add_get("/openapi/v3", openapi_root)
    app.router.add_get("/openapi/v3/{tail:.+}", openapi_gv)
    for path in ("/healthz", "/readyz", "/livez"):
        app.router.add_get(path, health)
    app.router.add_route("*", "/api/{version}/{tail:.+}", api.handle)
    app.router.add_route("*", "/apis/{group}/{version}/{tail:.+}", api.handle)
    return app
