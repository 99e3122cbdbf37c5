using Heartline.Core.Auth;

namespace Heartline.Core.Connections;

/// <summary>
/// Adds fields to the <c>user</c> object of the <c>connect</c> reply, from the principal's claims (push-to-talk adds
/// <c>region_id</c>, <c>office_id</c> and <c>office</c>). Field names are snake_case and must not clash with the core's.
/// </summary>
public interface IConnectInfo
{
    void Describe(Principal principal, IDictionary<string, string> fields);
}
