// Azure Machine Learning workspace with a CPU training cluster in its own spoke VNet.
// Deploy: az deployment group create -g rg-contoso-ml-dev --parameters main.bicepparam

targetScope = 'resourceGroup'

metadata description = 'Azure ML workspace, its dependent resources and a compute cluster in a VNet (Contoso ML platform, dev).'

@description('Region of every resource; defaults to the resource group\'s.')
param location string = resourceGroup().location

@description('Short workload name used in resource names, e.g. "contoso".')
@minLength(3)
@maxLength(10)
param prefix string

@description('Address space of the spoke VNet.')
param vnetAddressPrefix string = '10.40.0.0/16'

@description('Subnet of the Azure ML compute cluster.')
param computeSubnetPrefix string = '10.40.0.0/24'

@description('Subnet of the private endpoints (storage, key vault, registry).')
param privateEndpointSubnetPrefix string = '10.40.1.0/24'

@description('Create the cluster with the No Public IP option (nodes get no public IP).')
param noPublicIp bool = false

@description('High business impact workspace (hbi_workspace): encrypts local scratch disks, limits diagnostics.')
param hbiWorkspace bool = false

@description('Largest number of cluster nodes.')
@minValue(1)
param maxNodes int = 4

var tags = {
  workload: 'aml'
  environment: 'dev'
  owner: 'ml-platform'
}
var storageName = toLower('st${prefix}ml${uniqueString(resourceGroup().id)}')

module network 'modules/network.bicep' = {
  name: 'network'
  params: {
    location: location
    prefix: prefix
    vnetAddressPrefix: vnetAddressPrefix
    computeSubnetPrefix: computeSubnetPrefix
    privateEndpointSubnetPrefix: privateEndpointSubnetPrefix
    tags: tags
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take(storageName, 24)
  location: location
  tags: tags
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${prefix}-ml-${take(uniqueString(resourceGroup().id), 6)}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${prefix}-ml'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${prefix}-ml'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-04-01' = {
  name: 'mlw-${prefix}-dev'
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  sku: {
    name: 'Basic'
    tier: 'Basic'
  }
  properties: {
    friendlyName: 'Contoso ML (dev)'
    storageAccount: storage.id
    keyVault: keyVault.id
    applicationInsights: appInsights.id
    hbiWorkspace: hbiWorkspace
    publicNetworkAccess: 'Enabled'
    v1LegacyMode: false
  }
}

resource cluster 'Microsoft.MachineLearningServices/workspaces/computes@2024-04-01' = {
  parent: workspace
  name: 'cpu-cluster'
  location: location
  properties: {
    computeType: 'AmlCompute'
    description: 'CPU training cluster in the spoke VNet'
    properties: {
      vmSize: 'Standard_DS3_v2'
      vmPriority: 'Dedicated'
      osType: 'Linux'
      scaleSettings: {
        minNodeCount: 0
        maxNodeCount: maxNodes
        nodeIdleTimeBeforeScaleDown: 'PT120S'
      }
      subnet: {
        id: network.outputs.computeSubnetId
      }
      enableNodePublicIp: !noPublicIp
      remoteLoginPortPublicAccess: 'Disabled'
    }
  }
}

output workspaceId string = workspace.id
output computeSubnetId string = network.outputs.computeSubnetId
