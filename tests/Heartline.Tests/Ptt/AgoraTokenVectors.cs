namespace Heartline.Tests.Ptt;

/// <summary>Agora's official AccessToken2 test inputs and outputs (see shared/reference/agora-accesstoken2.md).</summary>
internal static class AgoraTokenVectors
{
    public const string AppId = "970CA35de60c44645bbae8a215061b33";
    public const string AppCertificate = "5CFd2fd1755d40ecb72977518be15d3b";
    public const string ChannelName = "7d72365eb983485397e3e3f9d460bdda";
    public const uint Uid = 2882341273;
    public const uint IssueTs = 1111111;
    public const uint Salt = 1;
    public const uint Expire = 600;

    public const string JoinOnlyUidToken =
        "007eJxTYBBbsMMnKq7p9Hf/HcIX5kce9b518kCiQgSr5Zrp4X1Tu6UUGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcwMk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiVwMRhYWRsYmhkbmxgDCaiTj";

    public const string JoinOnlyUidZeroToken =
        "007eJxTYLhzZP08Lxa1Pg57+TcXb/3cZ3wi4V6kbpbOog0G2dOYk20UGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcwMk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiQwMADacImo=";

    public const string K1 = "e0f6141e54329d72102500478ec18e0020a5eeef53bbcccc442c6c2f7f178251";
    public const string K2 = "cee2fa8dcbe868c30ca8c959d97fad4a5049c634da48449f1b8f59c14fa61073";
    public const string Signature = "16a0b84c5a5e82cbf74fb813d09f59c54bdac9c06120580539ac97578e958b1a";

    public const string SigningInfo =
        "2000393730434133356465363063343436343562626165386132313530363162333347f410005802000001000000010001000100010058020000200037643732333635656239383334383533393765336533663964343630626464610a0032383832333431323733";
}
