using System.Text.Json;

namespace Heartline.Core.Operations;

/// <summary>A module's section of <c>GET /api/admin/stats</c>: <c>modules.{Name}</c>.</summary>
public interface IModuleStats
{
    /// <summary>The key of the section (the module's name).</summary>
    string Name { get; }

    /// <summary>The section, serialized by the module (with its source-generated type info).</summary>
    ValueTask<JsonElement> SnapshotAsync(CancellationToken cancellationToken);
}
