using System.Text.Json;
using Heartline.Core.Auth;

namespace Heartline.Core.Presence;

/// <summary>
/// A connection as persisted, so a restart or a surviving node can finish what a crash left. Times are Unix
/// milliseconds; <see cref="Roles"/> are separated by spaces, <see cref="Claims"/> is the principal's declared claims as
/// a JSON object, <see cref="Scopes"/> the presence scopes it was announced in.
/// </summary>
public sealed record ConnectionRecord(
    string ConnectionId, string NodeId, string UserId, string Name, string Roles, string Kind, string? Tenant, string? Claims,
    string AppType, string? Device, long ConnectedAt)
{
    public IReadOnlyList<string> Scopes { get; init; } = [];

    internal static ConnectionRecord Of(string connectionId, string nodeId, Principal principal, IReadOnlyList<string> scopes,
        string appType, string? device, long connectedAt) =>
        new(connectionId, nodeId, principal.SubjectId, principal.Name, string.Join(' ', principal.Roles), TokenValidator.KindName(principal.Kind),
            principal.Tenant, principal.Claims.Count == 0 ? null : JsonSerializer.Serialize(principal.Claims, ClaimsJsonContext.Default.IReadOnlyDictionaryStringString),
            appType, device, connectedAt) { Scopes = scopes };
}

/// <summary>A registered disconnect action: run once by the handler for <paramref name="Kind"/>.</summary>
internal sealed record DisconnectActionRecord(string ActionId, string ConnectionId, string Kind, string Payload, long CreatedAt);

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class ClaimsJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
