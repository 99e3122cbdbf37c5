namespace Heartline.Voip;

internal sealed record AdmitRequest(string? Name, string? Tenant, string? Invitation);

internal sealed record AdmitResponse(string GuestId, string Name, string Tenant, string Token, long ExpiresAt);

/// <summary>One entry of RTCConfiguration.iceServers (the browser takes it as is).</summary>
internal sealed record IceServer(IReadOnlyList<string> Urls, string? Username = null, string? Credential = null);

internal sealed record IceServersResponse(IReadOnlyList<IceServer> IceServers, int TtlSeconds);

internal sealed record RemovedResponse(int Removed, int Disconnected);

internal sealed record CallRecordsResponse(IReadOnlyList<CallRecordRow> Items);
