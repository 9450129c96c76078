"""The API's documentation pages, Swagger UI at /docs and ReDoc at /redoc, served with the assets the
fastapi-offline package ships, so they work with no internet: a council's intranet, a laptop on a train. `/`
leads to them."""

from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"

router = APIRouter(include_in_schema=False)


@router.get("/")
async def go_to_docs() -> RedirectResponse:
    return RedirectResponse(DOCS_URL, status_code=302)


@router.get(DOCS_URL)
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Care-leavers covenant registry: API",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
    )


@router.get(REDOC_URL)
async def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url="/openapi.json",
        title="Care-leavers covenant registry: API reference",
        redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )


def install_docs(app: FastAPI) -> None:
    """The pages and their assets (which the package keeps beside its code, so nothing is copied here)."""
    assets = resources.files("fastapi_offline") / "static"
    app.mount(ASSETS_URL, StaticFiles(directory=str(assets)), name="docs-assets")
    app.include_router(router)
