using Router.Contracts.Wire;
using Router.Host.Http;

namespace Router.Host.Admin;

/// <summary>The refusals of the <c>/admin</c> endpoints beyond those every endpoint shares.</summary>
public static class AdminErrors
{
    public static RouterError NotFound(string message, string code, string? param = null) =>
        new(404, new ErrorBody { Message = message, Type = "not_found_error", Code = code, Param = param, Origin = ErrorOrigin.Router });

    /// <summary>The node cannot do this in its present state, e.g. a cluster command on a single node.</summary>
    public static RouterError Conflict(string message, string code) =>
        new(409, new ErrorBody { Message = message, Type = "invalid_request_error", Code = code, Origin = ErrorOrigin.Router });

    public static RouterError NotClustered(string what) =>
        Conflict($"{what} needs a node of a cluster; this node runs alone (router.cluster.enabled = false).", "not_clustered");

    /// <summary>The actors did not answer in time: the node is busy, stopping, or a cluster peer is unreachable.</summary>
    public static RouterError NoAnswer(string what) =>
        RouterError.Unavailable($"{what} did not answer in time; try again, and check `router cluster show` for unreachable members.", "admin_timeout");
}
