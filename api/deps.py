"""FastAPI dependencies, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.auth import Caller, bearer_token, identify, require_role
from api.services import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def optional_caller(request: Request, services: ServicesDep) -> Caller | None:
    return identify(services, bearer_token(request))


def admin_caller(request: Request, services: ServicesDep) -> Caller:
    return require_role(services, request, "admin")


def agent_caller(request: Request, services: ServicesDep) -> Caller:
    return require_role(services, request, "agent", "admin")


OptionalCallerDep = Annotated[Caller | None, Depends(optional_caller)]
AdminDep = Annotated[Caller, Depends(admin_caller)]
AgentDep = Annotated[Caller, Depends(agent_caller)]
