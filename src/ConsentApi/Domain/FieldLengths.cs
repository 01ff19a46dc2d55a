namespace ConsentApi.Domain;

/// <summary>Maximum lengths shared by the database columns, the request validation and the OpenAPI schemas.</summary>
public static class FieldLengths
{
    public const int Name = 200;
    public const int GroupName = 100;
    public const int ExternalId = 64;
    public const int BrinCode = 6;
    public const int SchoolYear = 9;
    public const int ClientName = 100;
    public const int KeyPrefix = 16;
    public const int ApiKey = 64;
    public const int Scope = 32;
    public const int Action = 100;
    public const int ResourceType = 50;
    public const int RequestId = 128;
    public const int Cursor = 22;
    public const int Status = 16;
    public const int ChannelKey = 40;
    public const int ChannelName = 100;
    public const int FormText = 20_000;
    public const int ProofReference = 200;
    public const int Note = 1000;
    public const int ContentHash = 71;
    public const int FileName = 100;
    public const int MediaTypeName = 32;
    public const int Url = 2000;
    public const int Location = 500;
    public const int StateName = 24;
    public const int Reason = 40;
    public const int EventType = 40;
    public const int TimeZone = 64;
}
