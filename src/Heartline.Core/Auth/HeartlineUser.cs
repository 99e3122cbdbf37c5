namespace Heartline.Core.Auth;

/// <summary>Who is on the other end of a connection or an HTTP request, as the validated token says.</summary>
internal sealed record HeartlineUser(
    string UserId, string Name, string Role, string RegionId, string OfficeId, DateTimeOffset ExpiresAt)
{
    /// <summary>The office key <c>{regionId}_{officeId}</c> that scopes every office resource.</summary>
    public string OfficeKey { get; } = $"{RegionId}_{OfficeId}";

    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>Admins may observe every office; everybody else only their own.</summary>
    public bool CanObserve(string officeKey) => IsAdmin || string.Equals(officeKey, OfficeKey, StringComparison.Ordinal);
}
